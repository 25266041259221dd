"""One glossary: the domain's words and the fixed vocabularies, in the UI's language (Chinese)."""

ACTIVITY_TYPES = ("讲座", "培训", "展览", "竞赛", "主题活动", "科普宣传", "志愿服务", "场馆开放", "设施建设", "其他")

INDICATOR_BASES = ("activities", "observation", "per_capita")
TARGET_KINDS = ("annual", "plan", "level")
DISTRICT_SET = "区定目标"  # a target the district set itself on the 目标管理 page
BASES = ("纲要目标", "示例目标", DISTRICT_SET)

# Observation series the store keeps (indicator observations, reported yearly).
OBSERVATIONS = {
    "survey_rate": "公民具备科学素质的比例（%）",
    "science_funding": "科普经费（元）",
}

# Dimensions a breakdown can group by, and the measures it can sum. Keys are code identifiers; values the UI's words.
DIMENSIONS = {
    "town": "镇街",
    "bureau": "责任单位",
    "cohort": "人群",
    "project": "重点工程",
    "task": "任务",
    "activity_type": "活动类型",
    "campaign": "活动主题",
    "month": "月份",
}
MEASURES = {"activities": "场次", "participants": "人次", "funding": "经费（元）"}

# A record that names no cohort, project or task appears under this label in a breakdown.
UNSPECIFIED = "（未填）"

TARGET_KIND_LABELS = {"annual": "年度目标", "plan": "规划期目标", "level": "水平目标"}

# The columns of the reporting templates, in order; required ones are marked * in the header.
ACTIVITY_COLUMNS = (
    "活动编号",
    "活动名称",
    "开始日期",
    "结束日期",
    "镇街",
    "责任单位",
    "人群",
    "重点工程",
    "任务编号",
    "活动类型",
    "参与人次",
    "经费（元）",
    "活动主题",  # optional: the national campaign (全国科普日…); after 经费, so the older columns keep their letters
    "备注",
)
ACTIVITY_REQUIRED = ("活动名称", "开始日期", "镇街", "责任单位", "活动类型", "参与人次")
OBSERVATION_COLUMNS = ("指标", "年份", "镇街", "数值", "来源")
OBSERVATION_REQUIRED = ("指标", "年份", "镇街", "数值")
ACTIVITY_SHEET, OBSERVATION_SHEET = "活动记录", "指标数据"
OPTIONS_SHEET = "选项"  # the templates' hidden sheet of dropdown lists: it has column names, but it holds no data

# Several cohorts in one cell may be separated by any of these.
COHORT_SEPARATORS = "、，,;；/"

ROLES = ("填报员", "管理员")

# The files a view can be exported as, by their suffix.
EXPORT_FORMATS = {"xlsx": "Excel 工作簿", "docx": "Word 简报"}
