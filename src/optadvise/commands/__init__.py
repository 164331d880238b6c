"""The commands, one orchestration each (profile, fix, check); they return records, the CLI shows them."""
