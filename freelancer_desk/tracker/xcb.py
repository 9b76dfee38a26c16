"""The X11 screen through libxcb, called with ctypes: one GetImage of the root window.

Why not Pillow's `ImageGrab.grab(xdisplay=…)`: its C function holds the GIL for the whole
round trip to the X server (8 MB for 1920×1080, 17–45 ms on a loaded machine), so the
window's GUI thread stood still for that long at every snapshot. ctypes releases the GIL
while libxcb waits and copies, and the picture is read in place from the reply: a
blurred snapshot box-reduces the raw BGRX pixels to the stored size first and converts
only what is left (`grab_scaled`), never a full-size RGB copy.

Only the usual layout is read this way (24- or 32-bit pixels in 4 bytes, least
significant byte first, as Pillow assumes too); anything else, or a system without
libxcb, raises `XcbUnavailable` and the caller falls back to Pillow.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from ctypes import (
    POINTER,
    Structure,
    c_char,
    c_char_p,
    c_int,
    c_int16,
    c_uint,
    c_uint8,
    c_uint16,
    c_uint32,
    c_void_p,
)
from functools import cache
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from PIL import Image  # imported at the first grab (`available()` does not need it)

Z_PIXMAP = 2
ALL_PLANES = 0xFFFFFFFF
LSB_FIRST = 0


class XcbUnavailable(OSError):
    """libxcb is missing or the screen's pixel layout is not the usual one."""


class _Cookie(Structure):
    _fields_ = [("sequence", c_uint)]


class _Setup(Structure):  # xcb_setup_t up to the fields read here
    _fields_ = [
        ("status", c_uint8),
        ("pad0", c_uint8),
        ("protocol_major_version", c_uint16),
        ("protocol_minor_version", c_uint16),
        ("length", c_uint16),
        ("release_number", c_uint32),
        ("resource_id_base", c_uint32),
        ("resource_id_mask", c_uint32),
        ("motion_buffer_size", c_uint32),
        ("vendor_len", c_uint16),
        ("maximum_request_length", c_uint16),
        ("roots_len", c_uint8),
        ("pixmap_formats_len", c_uint8),
        ("image_byte_order", c_uint8),
    ]


class _Screen(Structure):  # xcb_screen_t
    _fields_ = [
        ("root", c_uint32),
        ("default_colormap", c_uint32),
        ("white_pixel", c_uint32),
        ("black_pixel", c_uint32),
        ("current_input_masks", c_uint32),
        ("width_in_pixels", c_uint16),
        ("height_in_pixels", c_uint16),
        ("width_in_millimeters", c_uint16),
        ("height_in_millimeters", c_uint16),
        ("min_installed_maps", c_uint16),
        ("max_installed_maps", c_uint16),
        ("root_visual", c_uint32),
        ("backing_stores", c_uint8),
        ("save_unders", c_uint8),
        ("root_depth", c_uint8),
        ("allowed_depths_len", c_uint8),
    ]


class _ScreenIterator(Structure):
    _fields_ = [("data", POINTER(_Screen)), ("rem", c_int), ("index", c_int)]


class _ImageReply(Structure):  # xcb_get_image_reply_t; the pixels follow it
    _fields_ = [
        ("response_type", c_uint8),
        ("depth", c_uint8),
        ("sequence", c_uint16),
        ("length", c_uint32),
        ("visual", c_uint32),
        ("pad0", c_uint8 * 20),
    ]


def _load(soname: str, short: str) -> ctypes.CDLL:
    try:
        return ctypes.CDLL(soname)
    except OSError:
        found = ctypes.util.find_library(short)
        if found is None:
            raise
        return ctypes.CDLL(found)


@cache
def _libs() -> tuple[ctypes.CDLL, ctypes.CDLL]:
    # The sonames first: find_library runs `ldconfig -p` in a subprocess.
    try:
        xcb = _load("libxcb.so.1", "xcb")
        libc = _load("libc.so.6", "c")
    except OSError as exc:
        raise XcbUnavailable(f"libxcb cannot be loaded: {exc}") from None
    xcb.xcb_connect.argtypes = [c_char_p, POINTER(c_int)]
    xcb.xcb_connect.restype = c_void_p
    xcb.xcb_connection_has_error.argtypes = [c_void_p]
    xcb.xcb_connection_has_error.restype = c_int
    xcb.xcb_disconnect.argtypes = [c_void_p]
    xcb.xcb_disconnect.restype = None
    xcb.xcb_get_setup.argtypes = [c_void_p]
    xcb.xcb_get_setup.restype = POINTER(_Setup)
    xcb.xcb_setup_roots_iterator.argtypes = [POINTER(_Setup)]
    xcb.xcb_setup_roots_iterator.restype = _ScreenIterator
    xcb.xcb_screen_next.argtypes = [POINTER(_ScreenIterator)]
    xcb.xcb_screen_next.restype = None
    xcb.xcb_get_image.argtypes = [
        c_void_p,
        c_uint8,
        c_uint32,
        c_int16,
        c_int16,
        c_uint16,
        c_uint16,
        c_uint32,
    ]
    xcb.xcb_get_image.restype = _Cookie
    xcb.xcb_get_image_reply.argtypes = [c_void_p, _Cookie, POINTER(c_void_p)]
    xcb.xcb_get_image_reply.restype = POINTER(_ImageReply)
    xcb.xcb_get_image_data.argtypes = [POINTER(_ImageReply)]
    xcb.xcb_get_image_data.restype = c_void_p
    xcb.xcb_get_image_data_length.argtypes = [POINTER(_ImageReply)]
    xcb.xcb_get_image_data_length.restype = c_int
    libc.free.argtypes = [c_void_p]
    libc.free.restype = None
    return xcb, libc


def available() -> bool:
    try:
        _libs()
    except XcbUnavailable:
        return False
    return True


class XcbGrabber:
    """The X11 root window (all monitors) through libxcb. `grab()` is the full picture;
    `grab_scaled(width)` the picture box-reduced towards `width` before any conversion."""

    def __init__(self, xdisplay: str | None = None) -> None:
        self._xdisplay = xdisplay
        _libs()  # XcbUnavailable now rather than at the first snapshot

    def grab(self) -> Image.Image:
        return self._read(None)

    def grab_scaled(self, width: int) -> Image.Image:
        return self._read(width)

    def _read(self, width: int | None) -> Image.Image:
        xcb, libc = _libs()
        display = self._xdisplay.encode() if self._xdisplay else None
        number = c_int(0)
        conn = xcb.xcb_connect(display, ctypes.byref(number))
        try:
            if not conn or xcb.xcb_connection_has_error(conn):
                raise OSError(f"cannot open the X display {self._xdisplay or '(default)'}")
            setup = xcb.xcb_get_setup(conn)
            roots = xcb.xcb_setup_roots_iterator(setup)
            for _ in range(number.value):
                xcb.xcb_screen_next(ctypes.byref(roots))
            if not roots.data or roots.rem <= 0:
                raise OSError("the X display has no such screen")
            screen = roots.data.contents
            size = (screen.width_in_pixels, screen.height_in_pixels)
            if setup.contents.image_byte_order != LSB_FIRST or screen.root_depth not in (24, 32):
                raise XcbUnavailable("the X screen's pixel layout is not 32-bit BGRX")
            error = c_void_p()
            # Both calls run without the GIL (ctypes releases it around foreign calls).
            cookie = xcb.xcb_get_image(
                conn, Z_PIXMAP, screen.root, 0, 0, size[0], size[1], ALL_PLANES
            )
            reply = xcb.xcb_get_image_reply(conn, cookie, ctypes.byref(error))
            if error.value:
                libc.free(error)
            if not reply:
                raise OSError("the X server refused to return the screen")
            try:
                length = xcb.xcb_get_image_data_length(reply)
                if length != size[0] * size[1] * 4:
                    raise XcbUnavailable("the X screen's pixel layout is not 32-bit BGRX")
                pixels = (c_char * length).from_address(xcb.xcb_get_image_data(reply))
                return _convert(pixels, size, width)
            finally:
                libc.free(reply)
        finally:
            if conn:
                xcb.xcb_disconnect(conn)


def _convert(pixels: ctypes.Array[c_char], size: tuple[int, int], width: int | None) -> Image.Image:
    """An RGB image of the BGRX pixels (which are freed after this returns: nothing
    returned may point into them)."""
    from PIL import Image

    view = cast(bytes, memoryview(pixels).cast("B"))
    if width is None or size[0] <= width:
        return Image.frombytes("RGB", size, view, "raw", "BGRX")  # a copy
    raw = Image.frombuffer("RGBX", size, view, "raw", "RGBX", 0, 1)  # read in place
    factor = size[0] // width
    small = raw.reduce(factor) if factor >= 2 else raw.copy()
    rgb = Image.frombytes("RGB", small.size, small.tobytes(), "raw", "BGRX")
    if rgb.width > width:
        height = max(1, round(rgb.height * width / rgb.width))
        rgb = rgb.resize((width, height), Image.Resampling.BILINEAR)
    return rgb


__all__ = ["XcbGrabber", "XcbUnavailable", "available"]
