"""Writes the import fixture files in this folder. Run: uv run python tests/data/import/make_fixtures.py

Each file is small and reviewable; each fault sits in its own file or its own row (the tests list which).
"""

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
HEADER = [
    "活动编号",
    "活动名称*",
    "开始日期*",
    "结束日期",
    "镇街*",
    "责任单位*",
    "人群",
    "重点工程",
    "任务编号",
    "活动类型*",
    "参与人次*",
    "经费（元）",
    "备注",
]

# Written as a person would: short town and bureau names, dates in four styles, full-width digits, several
# cohorts in one cell, a task code followed by its title, stray spaces, and an empty row.
TOLERANT = [
    [
        "K-001",
        " 青少年科技节 ",
        "2024/5/12",
        "2024/5/13",
        "沙土",
        "科协",
        "青少年、老年人",
        "",
        "Y2",
        "竞赛",
        "１２０",
        "1,200.50",
        "",
    ],
    [
        "K-002",
        "科技辅导员培训班",
        "2024.5.12",
        "",
        "全区",
        "区教育局",
        "",
        "",
        "Y5 加大培训力度，着力提升教师队伍科学素质",
        "培训",
        "45",
        "",
        "",
    ],
    [
        "",
        "农民技术培训",
        "2024年5月12日",
        "2024年5月14日",
        "东城",
        "区农业农村局",
        "农民,青少年",
        "",
        "F2",
        "培训",
        "80",
        "3000",
        "两个人群",
    ],
    ["", "", "", "", "", "", "", "", "", "", "", "", ""],
    [
        "K-004",
        "智能手机应用讲座",
        "２０２４－０６－０１",
        "",
        "皇镇",
        "卫健局",
        "老年人；产业工人",
        "",
        "",
        "讲座",
        "60",
        "0",
        "",
    ],
    [
        "K-005",
        "科普短视频大赛",
        "20240901",
        "",
        "何楼街道",
        "区委宣传部",
        "青少年/农民",
        "科普信息化提升",
        "P2",
        "竞赛",
        "300",
        "¥5000",
        "",
    ],
    [
        "K-006",
        "<script>alert(1)</script>",
        "2024-09-20",
        "",
        "吴店镇",
        "区科协",
        "",
        "",
        "",
        "科普宣传",
        "200",
        "100",
        "标题像网页代码，只是文字",
    ],
    [
        "K-007",
        '=HYPERLINK("http://example.com","点我")',
        "2024-09-21",
        "",
        "吴店镇",
        "区科协",
        "",
        "",
        "",
        "讲座",
        "30",
        "0",
        "标题像公式，只是文字",
    ],
]

# One fault a row; the test names the column and reason it expects for each row number.
STRICT = [
    ["S-01", "未知镇街", "2024-05-01", "", "火星镇", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-02", "未知单位", "2024-05-01", "", "沙土镇", "区宇航局", "", "", "", "讲座", "10", "", ""],
    ["S-03", "未知人群", "2024-05-01", "", "沙土镇", "区科协", "儿童", "", "", "讲座", "10", "", ""],
    ["S-04", "未知工程", "2024-05-01", "", "沙土镇", "区科协", "", "航天工程", "", "讲座", "10", "", ""],
    ["S-05", "未知任务", "2024-05-01", "", "沙土镇", "区科协", "", "", "Z9", "讲座", "10", "", ""],
    ["S-06", "未知类型", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "座谈", "10", "", ""],
    ["S-07", "", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-08", "缺开始日期", "", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-09", "缺镇街", "2024-05-01", "", "", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-10", "缺单位", "2024-05-01", "", "沙土镇", "", "", "", "", "讲座", "10", "", ""],
    ["S-11", "缺类型", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "", "10", "", ""],
    ["S-12", "缺人次", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "讲座", "", "", ""],
    ["S-13", "负人次", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "讲座", "-5", "", ""],
    ["S-14", "小数人次", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "讲座", "12.5", "", ""],
    ["S-15", "人次非数字", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "讲座", "很多", "", ""],
    ["S-16", "负经费", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "-100", ""],
    ["S-17", "结束早于开始", "2024-05-10", "2024-05-01", "沙土镇", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-18", "太早", "1999-12-31", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-19", "太晚", "2031-01-01", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-20", "任务与人群不符", "2024-05-01", "", "沙土镇", "区科协", "农民", "", "Y5", "培训", "10", "", ""],
    [
        "S-21",
        "任务与工程不符",
        "2024-05-01",
        "",
        "沙土镇",
        "区科协",
        "",
        "科普信息化提升工程",
        "P1",
        "讲座",
        "10",
        "",
        "",
    ],
    ["S-22", "日期写错", "2024-13-45", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-23", "长" * 201, "2024-05-01", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-24", "备注太长", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "", "注" * 501],
    ["S-25", "不存在的日期", "2024-02-30", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "", ""],
    ["S-26", "经费非数字", "2024-05-01", "", "沙土镇", "区科协", "", "", "", "讲座", "10", "一千", ""],
    ["S-27", "有效的一行", "2024-05-01", "", "沙土镇", "区科协", "青少年", "", "Y1", "讲座", "10", "", ""],
    ["S-28", "有效的又一行", "2024-05-02", "", "沙土镇", "区科协", "", "", "", "讲座", "20", "", ""],
]

OBSERVATIONS = [
    ["指标*", "年份*", "镇街*", "数值*", "来源"],
    ["公民具备科学素质的比例（%）", "2025", "全区", "15.9", "抽样调查"],
    ["科普经费（元）", "2025", "沙土", "120000", "科普统计"],
    ["科普经费", "2025", "吴店镇", "30,000", ""],
]
OBSERVATIONS_STRICT = [
    ["指标*", "年份*", "镇街*", "数值*", "来源"],
    ["不存在的指标", "2025", "全区", "1", ""],
    ["科普经费（元）", "1999", "沙土镇", "1", ""],
    ["科普经费（元）", "2025", "沙土镇", "-1", ""],
    ["公民具备科学素质的比例（%）", "2025", "全区", "160", ""],
    ["科普经费（元）", "2025", "吴店镇", "100", ""],
    ["科普经费（元）", "2025", "吴店", "200", ""],
]


def write_csv(name: str, rows: list[list], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    (HERE / name).write_bytes(buffer.getvalue().encode(encoding))


def write_xlsx(name: str, rows: list[list], sheet: str = "活动记录", formulas: dict | None = None) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that merely looks like a formula stays text
    for ref, formula in (formulas or {}).items():
        ws[ref] = formula  # a real formula
    book.save(HERE / name)


def main() -> None:
    write_csv(
        "tolerant_utf8_bom.csv",
        [[f" {h} " if i % 3 == 0 else h for i, h in enumerate(HEADER[:11])] + ["经费(元)", "备注"], *TOLERANT],
        "utf-8-sig",
    )
    write_csv("tolerant_gb18030.csv", [HEADER, *TOLERANT], "gb18030")
    excel_rows = [
        [
            "X-1",
            "科技活动周主场",
            dt.datetime(2024, 5, 20),
            dt.datetime(2024, 5, 26),
            "牡丹街道",
            "区科技局",
            "青少年",
            "",
            "Y4",
            "主题活动",
            1500,
            20000.5,
            None,
        ],
        ["X-2", "老年健康讲座", 45444, None, "安兴镇", "区卫生健康局", "老年人", None, "E1", "讲座", 55.0, None, None],
        [None] * 13,
        [1003, "数字编号的活动", "2024-07-01", None, "大黄集", "团区委", "青少年", None, None, "志愿服务", 12, 0, None],
    ]
    write_xlsx("tolerant.xlsx", [["填报单位：测试", None], HEADER, *excel_rows])
    write_csv("strict.csv", [HEADER, *STRICT])
    write_csv("strict_gb18030.csv", [HEADER, *STRICT[:3]], "gb18030")
    write_xlsx(
        "formula.xlsx",
        [
            HEADER,
            ["F-1", "公式人次", "2024-05-01", None, "沙土镇", "区科协", None, None, None, "讲座", None, None, None],
            ["F-2", "=正常标题", "2024-05-02", None, "沙土镇", "区科协", None, None, None, "讲座", 5, 0, None],
        ],
        formulas={"K2": "=10+20"},
    )
    write_csv("missing_column.csv", [[h for h in HEADER if h != "参与人次*"], ["M-1", "缺列", "2024-05-01"]])
    write_csv("duplicate_column.csv", [[*HEADER, "镇街"], [*STRICT[-1], "沙土镇"]])
    write_csv("header_only.csv", [HEADER])
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "not_a_workbook.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip file")
    (HERE / "no_header.csv").write_bytes("随便写的一行,没有表头\n又一行,123\n".encode())
    write_csv("observations.csv", OBSERVATIONS)
    write_csv("observations_strict.csv", OBSERVATIONS_STRICT)
    write_xlsx("observations.xlsx", OBSERVATIONS, sheet="指标数据")


if __name__ == "__main__":
    main()
