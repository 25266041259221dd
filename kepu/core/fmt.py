"""Numbers as a Chinese reader expects them: 万 and 亿 for large counts, with their units.

Whatever arrives, a figure is written, never raised over: a missing value is "—", and a value that is not a finite
number (which the importer refuses, but a page must survive) is 数据异常.
"""

from __future__ import annotations

import math

ANOMALY = "数据异常"


def _bad(n: object) -> bool:
    return isinstance(n, float) and not math.isfinite(n)


def count(n: float | None) -> str:
    """12,345 → 1.23万; 123,456,789 → 1.23亿; small counts with thousands separators."""
    if n is None:
        return "—"
    n = float(n) + 0.0  # -0.0 is 0
    if not math.isfinite(n):
        return ANOMALY
    for size, word in ((1e8, "亿"), (1e4, "万")):
        if abs(n) >= size:
            return f"{_trim(n / size, 3)}{word}"
    return f"{n:,.0f}" if n == int(n) else f"{n:,.2f}"


def people(n: float | None) -> str:
    if n is None or _bad(float(n)):
        return count(n)
    return f"{count(n)}人次"


def money(yuan: float | None) -> str:
    """Funding in 元: 8,532元, 35.6万元, 1.2亿元. Per-resident amounts (under 10 元) keep three decimals, so a
    figure judged short of 1 元 never reads as 1.00元; other amounts under 100 元 keep their 分."""
    if yuan is None:
        return "—"
    yuan = float(yuan) + 0.0  # -0.0 is 0
    if not math.isfinite(yuan):
        return ANOMALY
    if round(yuan, 3) == 0:  # nothing, or less than would show: never "0.000元" or "-0.000元"
        return "0元"
    if abs(yuan) < 10:
        return f"{yuan:.3f}元"
    if abs(yuan) < 100:
        return f"{yuan:.2f}元"
    return f"{count(round(yuan))}元"


def percent(share: float | None, digits: int = 0) -> str:
    """0.8333 → 83%."""
    if share is None:
        return "—"
    if _bad(float(share)):
        return ANOMALY
    return f"{share * 100 + 0.0:.{digits}f}%"


def value(x: float | None, unit: str) -> str:
    """An indicator's value with its unit: 15.7%, 1,117人次, 1.12元, 520场次."""
    if x is None:
        return "—"
    if _bad(float(x)):
        return ANOMALY
    if unit == "%":
        return f"{x + 0.0:.1f}%"
    if unit == "元":
        return money(x)
    return f"{count(x)}{unit}"


def _trim(x: float, significant: int) -> str:
    """x with at most `significant` significant digits (at most two decimals), trailing zeros dropped."""
    decimals = max(0, min(2, significant - len(str(int(abs(x))))))
    return f"{x:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{x:.0f}"
