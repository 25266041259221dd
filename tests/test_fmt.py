from kepu.core import fmt


def test_counts_read_the_chinese_way():
    assert fmt.count(0) == "0"
    assert fmt.count(8532) == "8,532"
    assert fmt.count(12_345) == "1.23万"
    assert fmt.count(6_005_767) == "601万"
    assert fmt.count(146_410_330) == "1.46亿"
    assert fmt.count(None) == "—"


def test_money_and_values():
    assert fmt.money(1.1216) == "1.122元"
    assert fmt.money(0.9978) == "0.998元"  # never "1.00元" for a figure short of 1 元
    assert fmt.money(56.5) == "56.50元"
    assert fmt.money(35_600) == "3.56万元"
    assert fmt.value(15.7, "%") == "15.7%"
    assert fmt.value(1117, "人次") == "1,117人次"
    assert fmt.value(None, "人次") == "—"
    assert fmt.percent(0.8333) == "83%"
