"""Reading structures robustly (records.py, read.py, xyz.py) and, later, conversions and safe writing."""

from .read import detect_format, iter_frames, read_one
from .records import FrameRecord, ReadError, unreadable_finding
from .xyz import iter_xyz_bytes, iter_xyz_stream, parse_comment, parse_frame

__all__ = ["FrameRecord", "ReadError", "detect_format", "iter_frames", "iter_xyz_bytes", "iter_xyz_stream",
           "parse_comment", "parse_frame", "read_one", "unreadable_finding"]
