"""The one GPU probe: the CUDA device's name when CuPy is installed and sees one."""

from __future__ import annotations

import importlib.util


def gpu_name() -> str | None:
    """The first CUDA device's name, or None; never imports CuPy when it is not installed."""
    if importlib.util.find_spec("cupy") is None:
        return None
    try:
        import cupy  # optional and heavy: imported only when installed

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None
        props = cupy.cuda.runtime.getDeviceProperties(0)
        name = props.get("name", b"GPU")
        return name.decode() if isinstance(name, bytes) else str(name)
    except Exception:  # noqa: BLE001 - no driver, no device: no GPU
        return None
