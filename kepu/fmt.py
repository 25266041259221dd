"""Numbers as a Chinese reader expects them: 万 and 亿 for large counts, with their units."""

from __future__ import annotations

import math


def count(n: float | None) -> str:
    """12,345 → 1.23万; 123,456,789 → 1.23亿; small counts with thousands separators."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "—"
    n = float(n)
    for size, word in ((1e8, "亿"), (1e4, "万")):
        if abs(n) >= size:
            return f"{_trim(n / size, 3)}{word}"
    return f"{n:,.0f}" if n == int(n) else f"{n:,.2f}"


def people(n: float | None) -> str:
    return f"{count(n)}人次" if n is not None else "—"


def money(yuan: float | None) -> str:
    """Funding in 元: 8,532元, 35.6万元, 1.2亿元. Per-resident amounts (under 10 元) keep three decimals, so a
    figure judged short of 1 元 never reads as 1.00元; other amounts under 100 元 keep their 分."""
    if yuan is None:
        return "—"
    if abs(yuan) < 10:
        return f"{yuan:.3f}元"
    if abs(yuan) < 100:
        return f"{yuan:.2f}元"
    return f"{count(round(yuan))}元"


def percent(share: float | None, digits: int = 0) -> str:
    """0.8333 → 83%."""
    return "—" if share is None else f"{share * 100:.{digits}f}%"


def value(x: float | None, unit: str) -> str:
    """An indicator's value with its unit: 15.7%, 1,117人次, 1.12元, 520场次."""
    if x is None:
        return "—"
    if unit == "%":
        return f"{x:.1f}%"
    if unit == "元":
        return money(x)
    return f"{count(x)}{unit}"


def _trim(x: float, significant: int) -> str:
    """x with at most `significant` significant digits (at most two decimals), trailing zeros dropped."""
    decimals = max(0, min(2, significant - len(str(int(abs(x))))))
    return f"{x:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{x:.0f}"
