"""tests/profile: `optadvise profile` end to end, real child processes, no mocks."""
