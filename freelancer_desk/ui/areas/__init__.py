"""One module per area that does more than show tables: `ui/areas/<area key>.py`
defines `build_page(area, backend) -> AreaPage`. Areas without a module get the
read-only `AreaPage` over their sources."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from freelancer_desk.ui.areapage import Area, AreaPage
    from freelancer_desk.ui.backend import Backend


def build_page(area: Area, backend: Backend) -> AreaPage:
    from freelancer_desk.ui.areapage import AreaPage

    try:
        module = importlib.import_module(f"{__name__}.{area.key}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{area.key}":
            raise  # the module exists but something it imports does not
        return AreaPage(area, backend)
    page: AreaPage = module.build_page(area, backend)
    return page
