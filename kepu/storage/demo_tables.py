"""The demo's story as data (kepu.storage.demo draws the records from it): how many activities a year and how they fall
over the months, which towns and bureaus lag, each task's weight, cohorts, activity types and title topics, the
theme days and weeks, the counted trainings, the cohorts' participation levels, and the district's 科普经费 and
literacy survey. Changing a value here changes the demo store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kepu.core.glossary import ACTIVITY_TYPES

# Activities a year at the plan's pace; before the plan was issued, ordinary work went at PRE_PLAN of that pace.
ACTIVITIES_PER_YEAR = {2021: 3000, 2022: 3900, 2023: 4300, 2024: 4700, 2025: 5000}
PRE_PLAN = 0.8
# After the plan: the district keeps working and reporting (under the same task codes until a new plan replaces
# them); 2026 is in the store up to the end of October.
AFTER_PLAN_YEAR, AFTER_PLAN_PACE, REPORTED_UNTIL = 2026, 5100, dt.date(2026, 10, 31)
BLANK_TASK = 0.03  # records whose reporter left the task empty, after the plan was issued
# How a year's activities fall over its months: the theme weeks of May and September, quiet February and August.
MONTH_SHARE = (0.95, 0.55, 0.95, 1.0, 1.6, 1.0, 0.85, 0.55, 1.85, 1.05, 1.0, 0.8)

# Lagging on purpose: a town's or bureau's share of activity is multiplied by these.
LAGGING_TOWNS = {"吕陵镇": 0.25, "胡集镇": 0.3, "李村镇": 0.5}
LAGGING_BUREAUS = {"区林业局": 0.25, "区行政审批服务局": 0.3, "区妇联": 0.5}
# Lead bureaus that never report on a task they are assigned.
SILENT = {
    ("Y4", "区交通运输局"), ("Y4", "区市场监管局"), ("W1", "区住房和城乡建设局"), ("F1", "区民政局"),
    ("P3", "区自然资源局"), ("Y1", "区广播电视台"), ("E1", "区工业和信息化局"),
}  # fmt: skip

# Relative volume of each task (tasks not named get 1).
TASK_WEIGHT = {
    "Y4": 3.0, "Y2": 2.0, "Y1": 1.5, "Y5": 0.3, "F1": 3.0, "F2": 1.2, "F3": 1.5, "W3": 1.5, "E1": 2.5, "C1": 1.5,
    "P1": 0.45, "P2": 1.7, "P3": 0.6, "P4": 3.5,
}  # fmt: skip
# Cohorts a task's activities also reach, with the chance (a task's own cohort is always there): rural elderly,
# migrant workers, vocational students; the projects' audiences. 领导干部和公务员 only through C1.
COHORT_CHANCE: dict[str, dict[str, float]] = {
    "F1": {"老年人": 0.15},
    "W2": {"青少年": 0.1},
    "W3": {"农民": 0.2},
    "E1": {"农民": 0.15},
    "P1": {"青少年": 0.5},
    "P2": {"青少年": 0.1, "老年人": 0.15},
    "P3": {"青少年": 0.25},
    "P4": {"农民": 0.3, "老年人": 0.25},
}
# A cohort task's activities that are also part of a project, with the chance.
TASK_PROJECT = {
    "Y1": ("科技资源科普化工程", 0.05),
    "Y4": ("科技资源科普化工程", 0.05),
    "E1": ("科普信息化提升工程", 0.2),
    "W4": ("科普信息化提升工程", 0.1),
    "F1": ("基层科普能力提升工程", 0.2),
    "F3": ("基层科普能力提升工程", 0.1),
}
# The mix of activity types by task; tasks not named use DEFAULT_MIX.
DEFAULT_MIX: dict[str, float] = {
    "讲座": 3, "科普宣传": 3, "主题活动": 2, "展览": 1, "竞赛": 1, "志愿服务": 1.5, "培训": 1, "其他": 0.5,
}  # fmt: skip
TYPE_MIX: dict[str, dict[str, float]] = {
    "Y2": {"竞赛": 3, "主题活动": 2, "讲座": 2, "展览": 1, "培训": 0.5},
    "Y4": {"场馆开放": 2, "展览": 2, "主题活动": 3, "讲座": 2, "科普宣传": 1, "志愿服务": 1},
    "Y5": {"讲座": 2, "竞赛": 1},  # Y5's trainings follow COUNSELLOR_TRAINING
    "F2": {"讲座": 2, "竞赛": 1, "志愿服务": 1},  # F2's trainings follow FARMER_TRAINING
    "W2": {"竞赛": 3, "培训": 3, "讲座": 1},
    "W3": {"培训": 4, "讲座": 2, "竞赛": 1},
    "E1": {"讲座": 4, "培训": 2, "科普宣传": 2, "志愿服务": 2},
    "C1": {"讲座": 3, "培训": 3},
    "P2": {"科普宣传": 4, "竞赛": 2, "培训": 1},
    "P3": {"设施建设": 3, "场馆开放": 3, "展览": 1},
    "P4": {"科普宣传": 3, "志愿服务": 3, "主题活动": 2, "讲座": 2},
}
# What each task's activities are about (the title's topic), and where a type needs its own words.
TOPICS: dict[str, tuple[str, ...]] = {
    "Y1": ("科学家精神进校园", "院士科学家故事", "青少年科普阅读", "科学精神"),
    "Y2": ("青少年科技创新", "中小学科学实验", "机器人编程", "校园科技节"),
    "Y3": ("大学生科创", "大学生科普", "青年科创人才", "创新创业"),
    "Y4": ("馆校合作科学课", "科普研学", "流动科技馆进校园", "科普大篷车进校园", "家庭科学实验"),
    "Y5": ("科技辅导员", "科学教师", "科学教育教研"),
    "F1": ("移风易俗", "破除封建迷信", "农村生态环保", "农村健康生活"),
    "F2": ("高素质农民", "农村电商技能", "农业实用技术", "新型职业农民"),
    "F3": ("科技特派员服务", "绿色生产技术", "牡丹栽培技术", "农业科技示范"),
    "W1": ("工匠精神", "劳模精神", "职业精神"),
    "W2": ("职工技能", "技能兴区", "岗位练兵"),
    "W3": ("职业技能提升", "新职业技能", "农民工技能"),
    "W4": ("职工科普", "安全生产科普", "产业工人创新"),
    "E1": ("智能手机应用", "防诈骗科普", "老年健康大讲堂", "银龄科普", "合理用药"),
    "C1": ("领导干部科学素质专题", "前沿科技知识专题", "公务员科学履职", "基层干部科学素质"),
    "P1": ("科学家精神报告", "科研机构开放", "学会科普", "科技成果科普"),
    "P2": ("科普短视频", "科普中国信息员", "网络科普", "融媒体科普"),
    "P3": ("科普教育基地", "社区科普馆"),
    "P4": ("应急科普", "订单式科普", "新时代文明实践科普", "科普进社区"),
}
TYPE_TOPICS: dict[tuple[str, str], tuple[str, ...]] = {
    ("P3", "设施建设"): ("社区科普馆", "户外科普宣传栏", "农村科普活动场地", "科普e站"),
    ("P3", "场馆开放"): ("科普教育基地", "社区科普馆", "青少年科技馆站"),
    ("P3", "展览"): ("科普展品巡展", "科普教育基地"),
}
TYPE_SUFFIX = {
    "讲座": "讲座", "培训": "培训班", "展览": "展览", "竞赛": "竞赛", "主题活动": "主题活动", "科普宣传": "宣传活动",
    "志愿服务": "志愿服务", "场馆开放": "开放日", "设施建设": "建设", "其他": "活动",
}  # fmt: skip


@dataclass(frozen=True)
class Theme:
    """A theme day or week of the plan, as its records' titles name it (【name】)."""

    name: str
    month: int
    days: tuple[int, int]  # its first and last day in the month
    share: float  # of the month's activities
    tasks: tuple[str, ...] = ()  # the tasks whose work fits it (any, when empty)
    topics: tuple[str, ...] = ()  # what its activities are about (the task's own topics, when empty)


RURAL = ("F1", "F2", "F3", "E1", "P4")
COUNTRYSIDE = ("科技下乡", "文化科技卫生下乡", "农业技术咨询", "健康义诊")
THEMES = (
    Theme("三下乡", 1, (5, 31), 0.4, RURAL, COUNTRYSIDE),
    Theme("三下乡", 2, (1, 15), 0.3, RURAL, COUNTRYSIDE),
    Theme("中国水周", 3, (22, 28), 0.15, ("Y4", "F1", "F3", "P4"), ("节约用水", "水安全知识", "河湖保护")),
    Theme("防灾减灾日", 5, (10, 14), 0.12, ("Y4", "E1", "F1", "P4"), ("防灾减灾知识", "应急避险演练", "地震科普")),
    Theme("科技活动周", 5, (18, 28), 0.35),
    Theme("食品安全宣传周", 6, (10, 16), 0.15, ("E1", "F1", "Y4", "P4"), ("食品安全知识", "农产品质量安全")),
    Theme("老年健康宣传周", 7, (20, 26), 0.15, ("E1",), ("老年健康", "老年人合理膳食", "老年慢病防治")),
    Theme("全国科普日", 9, (12, 25), 0.55),
)
CROWDS = "全国科普日"  # whose main venues draw crowds

# Yearly totals (人次) of the two trainings the plan counts, and the size of a class. Classes before the plan was
# issued carry no task (2021), so they do not count; 2022's classes came after it. 2023 falls short on purpose.
COUNSELLOR_TRAINING = {2021: 82, 2022: 108, 2023: 64, 2024: 126, 2025: 143, 2026: 118}
FARMER_TRAINING = {2021: 150, 2022: 186, 2023: 236, 2024: 274, 2025: 318, 2026: 290}
CLASS_SIZE = 30

# Each cohort's participation as a share of its annual target (the plan's 示例目标), year by year; each cohort
# varies around it by up to COHORT_SPREAD. 2021 and early 2022 are before the plan; 2026 runs to October.
PARTICIPATION_LEVEL = {2021: 0.62, 2022: 0.84, 2023: 0.98, 2024: 1.03, 2025: 1.07, 2026: 0.86}
COHORT_SPREAD = 0.1

# Median participants and spread (log-normal) by activity type; median funding (元) and the chance of any.
PARTICIPANTS = {
    "讲座": (60, 0.7), "培训": (40, 0.5), "展览": (400, 1.0), "竞赛": (120, 0.9), "主题活动": (250, 1.0),
    "科普宣传": (300, 1.1), "志愿服务": (80, 0.8), "场馆开放": (600, 1.0), "设施建设": (20, 1.5), "其他": (80, 0.8),
}  # fmt: skip
FUNDING = {
    "讲座": (300, 0.3), "培训": (1500, 0.6), "展览": (2000, 0.4), "竞赛": (1500, 0.5), "主题活动": (1500, 0.4),
    "科普宣传": (500, 0.2), "志愿服务": (100, 0.1), "场馆开放": (500, 0.2), "设施建设": (15000, 1), "其他": (300, 0.2),
}  # fmt: skip

# 科普经费 (元 a resident) the district reports for each year, and the part of it activities' own funding makes;
# 2026's budget is not reported until the year is over (no observation), its activities spend at the same pace.
SCIENCE_FUNDING_PER_CAPITA = {2021: 0.88, 2022: 1.04, 2023: 0.97, 2024: 1.13, 2025: 1.22, 2026: 1.25}
ACTIVITY_FUNDING_SHARE = {2021: 0.38, 2022: 0.45, 2023: 0.5, 2024: 0.55, 2025: 0.58, 2026: 0.45}
DISTRICT_FUNDING_SHARE = 0.09  # the district's own bodies (全区), the rest by the towns
# The literacy survey: the baseline (2020) and two later rounds, not every year; +4.9 points in five years.
SURVEY_RATE = {2020: 10.8, 2022: 12.6, 2025: 15.7}

assert set(PARTICIPANTS) == set(ACTIVITY_TYPES) == set(FUNDING) == set(TYPE_SUFFIX)
assert set(PARTICIPATION_LEVEL) == set(ACTIVITY_FUNDING_SHARE) == {*ACTIVITIES_PER_YEAR, AFTER_PLAN_YEAR}
