"""The two schemes of the seed documents, as data.

Sources: shared/seeds/004 (Taiwan, 8th Government Service Quality Award briefing,
2015-11-19) and shared/seeds/000 (Hong Kong LegCo paper on the Civil Service Customer
Service Award Scheme, 2003-02-17). Where a seed gives no figure (a stage's exact days,
the HK criteria's weights, which 23 HK departments entered) the value here is an
assumption, marked "assumed" and listed in docs/demo.md.
"""

import datetime

D = datetime.date

# --- Taiwan -----------------------------------------------------------------------------

TW_SCHEME = {
    "code": "tw-gsqa",
    "name_zh": "政府服務品質獎",
    "name_en": "Government Service Quality Award",
    "organiser_zh": "國家發展委員會",
    "organiser_en": "National Development Council",
    "description_zh": "政府機關推動服務品質的最高榮譽，依服務性質及績效屬性區分為「第一線服務機關」、"
    "「服務規劃機關」及「特別獎」。",
    "description_en": "The highest honour for service quality in Taiwan's government, with "
    "categories for first-line service agencies, service planning agencies and a special award.",
}

ORDINALS_ZH = ["一", "二", "三", "四", "五", "六", "七", "八"]
ORDINALS_EN = ["1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th"]

# Published participants / finalists / winners of editions 1-7 (seed 004, 歷屆參獎情形).
TW_HISTORY = [
    (1, 150, 46, 24),
    (2, 147, 46, 28),
    (3, 156, 50, 29),
    (4, 168, 51, 32),
    (5, 173, 53, 30),
    (6, 175, 46, 30),
    (7, 174, 50, 30),
]

# 105年 (2016) timetable of the 8th edition. Seed dates: recommendation Jan 5-11;
# written review mid-Jan to Feb; site visits Mar to mid-Apr; approval late Apr;
# ceremony mid-May; results presentations Jun-Jul. Exact days inside those spans and the
# nomination, eligibility and shortlisting windows are assumed.
TW8_STAGES = [
    (
        "nomination",
        "機關撰寫自薦書",
        "Agencies write their dossiers",
        D(2015, 11, 19),
        D(2016, 1, 4),
        {"allows_dossier_edit": True},
    ),
    (
        "recommendation",
        "主管機關推薦參獎",
        "Recommendation by competent authorities",
        D(2016, 1, 5),
        D(2016, 1, 11),
        {},
    ),
    ("eligibility_check", "資格審查", "Eligibility check", D(2016, 1, 12), D(2016, 1, 14), {}),
    (
        "written_review",
        "行政院初審（書面評審）",
        "Preliminary (written) review",
        D(2016, 1, 15),
        D(2016, 2, 29),
        {"allows_scoring": True},
    ),
    (
        "shortlisting",
        "決定入圍名單",
        "Shortlisting of finalists",
        D(2016, 2, 29),
        D(2016, 2, 29),
        {},
    ),
    (
        "site_visit",
        "行政院決審（實地評審）",
        "Final review with site visits",
        D(2016, 3, 1),
        D(2016, 4, 15),
        {"allows_scoring": True, "is_site_visit": True},
    ),
    (
        "approval",
        "評審結果報行政院核定",
        "Results reported for approval",
        D(2016, 4, 21),
        D(2016, 4, 30),
        {},
    ),
    ("ceremony", "頒獎典禮", "Award ceremony", D(2016, 5, 11), D(2016, 5, 20), {}),
    (
        "results_sharing",
        "成果發表會",
        "Results presentations",
        D(2016, 6, 1),
        D(2016, 7, 31),
        {},
    ),
]

TW8_FIRST_LINE_RUBRIC = {
    "total_points": 1000,
    "dimensions": [
        {
            "name_zh": "優質便民服務",
            "name_en": "Convenient quality service",
            "max_points": 400,
            "indicators": [
                {
                    "name_zh": "服務流程",
                    "name_en": "Service process",
                    "max_points": 200,
                    "focus_points_zh": "服務流程便捷性\n服務流程透明度",
                    "focus_points_en": "Ease of the service process\n"
                    "Transparency of the service process",
                },
                {
                    "name_zh": "機關形象及顧客關係",
                    "name_en": "Image and customer relations",
                    "max_points": 200,
                    "focus_points_zh": "機關形象\n顧客滿意情形",
                    "focus_points_en": "Agency image\nCustomer satisfaction",
                },
            ],
        },
        {
            "name_zh": "資訊網路服務",
            "name_en": "Online information service",
            "max_points": 300,
            "indicators": [
                {
                    "name_zh": "資訊提供及檢索服務",
                    "name_en": "Information provision and search",
                    "max_points": 100,
                    "focus_points_zh": "資訊（料）公開適切性與內容有效性\n資訊檢索完整性與便捷性",
                    "focus_points_en": "Appropriateness and validity of published information\n"
                    "Completeness and ease of information search",
                },
                {
                    "name_zh": "線上服務及網路參與",
                    "name_en": "Online services and e-participation",
                    "max_points": 200,
                    "focus_points_zh": "線上服務量能擴展性\n網路參與應用情形",
                    "focus_points_en": "Growth of online service capacity\nUse of e-participation",
                },
            ],
        },
        {
            "name_zh": "創新增值服務",
            "name_en": "Innovative value-added service",
            "max_points": 300,
            "indicators": [
                {
                    "name_zh": "創新服務情形",
                    "name_en": "Innovation",
                    "max_points": 300,
                    "focus_points_zh": "有價值的創新服務（可採行的策略：服務流程改造、專人全程服務、"
                    "公私協力或異業結盟、跨機關電子查驗、在地化特色服務及其他創新服務策略等）\n"
                    "創新服務標竿學習效益\n組織內部創新機制及運作情形",
                    "focus_points_en": "Valuable innovative services (e.g. process re-engineering, "
                    "one-stop personal service, public-private partnership, cross-agency electronic "
                    "verification, local specialities)\nBenefit of benchmark learning\n"
                    "Internal innovation mechanism and how it works",
                },
            ],
        },
    ],
}

TW8_PLANNING_RUBRIC = {
    "total_points": 1000,
    "dimensions": [
        {
            "name_zh": "解決方法",
            "name_en": "Solution",
            "max_points": 300,
            "indicators": [
                {"name_zh": "整合性解決方法", "name_en": "Integrated solution", "max_points": 300},
            ],
        },
        {
            "name_zh": "實際效果",
            "name_en": "Actual effect",
            "max_points": 700,
            "indicators": [
                {"name_zh": "外部效益", "name_en": "External benefit", "max_points": 500},
                {"name_zh": "內部效益", "name_en": "Internal benefit", "max_points": 100},
                {"name_zh": "成本合理性", "name_en": "Cost reasonableness", "max_points": 100},
            ],
        },
    ],
}

# (code, zh, en, type, is competent authority, children)
TW_AGENCIES = [
    ("TW-NDC", "國家發展委員會", "National Development Council", "general", False, []),
    (
        "TW-MOI",
        "內政部",
        "Ministry of the Interior",
        "general",
        True,
        [
            ("TW-NPA", "內政部警政署", "National Police Agency", "police", False, []),
            ("TW-NFA", "內政部消防署", "National Fire Agency", "fire", False, []),
            ("TW-NIA", "內政部移民署", "National Immigration Agency", "immigration", False, []),
        ],
    ),
    (
        "TW-MOF",
        "財政部",
        "Ministry of Finance",
        "general",
        True,
        [
            ("TW-NTBT", "財政部臺北國稅局", "National Taxation Bureau of Taipei", "tax", False, []),
            (
                "TW-NTBK",
                "財政部高雄國稅局",
                "National Taxation Bureau of Kaohsiung",
                "tax",
                False,
                [],
            ),
            ("TW-CUS", "財政部關務署", "Customs Administration", "immigration", False, []),
        ],
    ),
    (
        "TW-MOTC",
        "交通部",
        "Ministry of Transportation and Communications",
        "general",
        True,
        [
            (
                "TW-TB",
                "交通部觀光局",
                "Tourism Bureau",
                "tourism",
                False,
                [
                    (
                        "TW-SMLNSA",
                        "交通部觀光局日月潭國家風景區管理處",
                        "Sun Moon Lake National Scenic Area Administration",
                        "tourism",
                        False,
                        [],
                    ),
                ],
            ),
            (
                "TW-THB",
                "交通部公路總局",
                "Directorate General of Highways",
                "transport",
                False,
                [
                    (
                        "TW-TPMVO",
                        "交通部公路總局臺北區監理所",
                        "Taipei Region Motor Vehicles Office",
                        "transport",
                        False,
                        [],
                    ),
                ],
            ),
        ],
    ),
    (
        "TW-MOHW",
        "衛生福利部",
        "Ministry of Health and Welfare",
        "general",
        True,
        [
            (
                "TW-NHIA",
                "衛生福利部中央健康保險署",
                "National Health Insurance Administration",
                "health",
                False,
                [],
            ),
            ("TW-TPH", "衛生福利部臺北醫院", "Taipei Hospital", "health", False, []),
        ],
    ),
    (
        "TW-EPA",
        "行政院環境保護署",
        "Environmental Protection Administration",
        "environment",
        True,
        [],
    ),
    (
        "TW-MOL",
        "勞動部",
        "Ministry of Labor",
        "labour",
        True,
        [
            ("TW-BLI", "勞動部勞工保險局", "Bureau of Labor Insurance", "labour", False, []),
        ],
    ),
    (
        "TW-TPE",
        "臺北市政府",
        "Taipei City Government",
        "general",
        True,
        [
            (
                "TW-TPE-ZSHR",
                "臺北市中山區戶政事務所",
                "Zhongshan District Household Registration Office",
                "household_registration",
                False,
                [],
            ),
            ("TW-TPE-DALO", "臺北市大安地政事務所", "Da'an Land Office", "land", False, []),
            (
                "TW-TPE-POL",
                "臺北市政府警察局",
                "Taipei City Police Department",
                "police",
                False,
                [],
            ),
            ("TW-TPE-FIRE", "臺北市政府消防局", "Taipei City Fire Department", "fire", False, []),
            (
                "TW-TPE-EPD",
                "臺北市政府環境保護局",
                "Department of Environmental Protection, Taipei",
                "environment",
                False,
                [],
            ),
        ],
    ),
    (
        "TW-NTPC",
        "新北市政府",
        "New Taipei City Government",
        "general",
        True,
        [
            (
                "TW-NTPC-BQHR",
                "新北市板橋區戶政事務所",
                "Banqiao Household Registration Office",
                "household_registration",
                False,
                [],
            ),
            ("TW-NTPC-BQLO", "新北市板橋地政事務所", "Banqiao Land Office", "land", False, []),
            (
                "TW-NTPC-TAX",
                "新北市政府稅捐稽徵處",
                "New Taipei City Revenue Service",
                "tax",
                False,
                [],
            ),
        ],
    ),
    (
        "TW-KHH",
        "高雄市政府",
        "Kaohsiung City Government",
        "general",
        True,
        [
            (
                "TW-KHH-LAND",
                "高雄市政府地政局",
                "Land Administration Bureau, Kaohsiung",
                "land",
                False,
                [
                    (
                        "TW-KHH-FSLO",
                        "高雄市鳳山地政事務所",
                        "Fengshan Land Office",
                        "land",
                        False,
                        [],
                    ),
                ],
            ),
            (
                "TW-KHH-HLTH",
                "高雄市政府衛生局",
                "Department of Health, Kaohsiung",
                "health",
                False,
                [],
            ),
        ],
    ),
    (
        "TW-ILA",
        "宜蘭縣政府",
        "Yilan County Government",
        "general",
        True,
        [
            (
                "TW-ILA-TAX",
                "宜蘭縣政府財政稅務局",
                "Yilan County Finance and Tax Bureau",
                "tax",
                False,
                [],
            ),
            (
                "TW-ILA-LDHR",
                "宜蘭縣羅東鎮戶政事務所",
                "Luodong Household Registration Office",
                "household_registration",
                False,
                [],
            ),
        ],
    ),
]

# The demonstration edition's stages, as day offsets from the day the demo is loaded.
LIVE_STAGES = [
    (
        "nomination",
        "機關撰寫自薦書",
        "Agencies write their dossiers",
        -7,
        21,
        {"allows_dossier_edit": True},
    ),
    ("recommendation", "主管機關推薦參獎", "Recommendation by competent authorities", 22, 28, {}),
    ("eligibility_check", "資格審查", "Eligibility check", 29, 31, {}),
    (
        "written_review",
        "初審（書面審查）",
        "Preliminary (written) review",
        32,
        60,
        # Weighted as the 8th edition's review (scoring.demo): 30 % written, 70 % site
        # visit, so the 9th edition's final standings are not empty.
        {"allows_scoring": True, "score_weight": 30},
    ),
    ("shortlisting", "決定入圍名單", "Shortlisting of finalists", 61, 61, {}),
    (
        "site_visit",
        "決審（實地審查）",
        "Final review with site visits",
        62,
        100,
        {"allows_scoring": True, "is_site_visit": True, "score_weight": 70},
    ),
    ("approval", "評審結果核定", "Results reported for approval", 101, 110, {}),
    ("ceremony", "頒獎典禮", "Award ceremony", 120, 120, {}),
    ("results_sharing", "成果發表會", "Results presentations", 130, 180, {}),
]

# --- Hong Kong --------------------------------------------------------------------------

HK_SCHEME = {
    "code": "hk-csca",
    "name_zh": "公務員顧客服務獎勵計劃",
    "name_en": "Civil Service Customer Service Award Scheme",
    "organiser_zh": "公務員事務局",
    "organiser_en": "Civil Service Bureau",
    "description_zh": "公務員事務局自一九九九年起推行，向公務員推廣以客為本的服務文化，"
    "頒發以個人、團隊和部門為單位的獎項。",
    "description_en": "Run by the Civil Service Bureau since 1999 to promote a customer-focused "
    "service culture, with awards for individuals, teams and departments.",
}

# 2002-03: 23 departments entered (seed 000, para 4); criteria service quality, efficiency
# and cost-effectiveness (weights not published: equal weights assumed); the ceremony on
# 24 Feb 2003 with an exhibition on 20-23 Feb and a roving exhibition Mar-Jun 2003 (para 7).
HK_STAGES = [
    (
        "nomination",
        "部門提交自薦書",
        "Departments submit self-nominations",
        D(2002, 9, 2),
        D(2002, 10, 31),
        {"allows_dossier_edit": True},
    ),
    ("eligibility_check", "資格審查", "Eligibility check", D(2002, 11, 1), D(2002, 11, 8), {}),
    (
        "written_review",
        "評審部門提交的自薦書",
        "Review of the dossiers",
        D(2002, 11, 11),
        D(2002, 11, 30),
        {"allows_scoring": True},
    ),
    (
        "site_visit",
        "顧問公司實地探訪",
        "Consultancy site visits",
        D(2002, 12, 2),
        D(2002, 12, 31),
        {"allows_scoring": True, "is_site_visit": True},
    ),
    (
        "telephone_poll",
        "住戶電話訪問",
        "Household telephone poll",
        D(2002, 12, 2),
        D(2003, 1, 15),
        {},
    ),
    (
        "panel_presentation",
        "入圍部門向評選小組作介紹",
        "Shortlisted departments present to the panel",
        D(2003, 1, 6),
        D(2003, 1, 24),
        {"allows_scoring": True},
    ),
    ("approval", "評選結果核定", "Approval of the results", D(2003, 1, 27), D(2003, 2, 7), {}),
    (
        "exhibition",
        "傑出顧客服務展覽（香港中央圖書館）",
        "Outstanding Customer Service Exhibition (Hong Kong Central Library)",
        D(2003, 2, 20),
        D(2003, 2, 23),
        {},
    ),
    (
        "ceremony",
        "傑出顧客服務頒獎典禮",
        "Outstanding Customer Service Award ceremony",
        D(2003, 2, 24),
        D(2003, 2, 24),
        {},
    ),
    (
        "exhibition",
        "巡迴展覽",
        "Roving exhibition",
        D(2003, 3, 1),
        D(2003, 6, 30),
        {},
    ),
    (
        "results_sharing",
        "經驗分享研討會",
        "Experience-sharing seminars",
        D(2003, 3, 1),
        D(2003, 6, 30),
        {},
    ),
]

HK_DEPARTMENT_RUBRIC = {
    "total_points": 300,
    "dimensions": [
        {
            "name_zh": "服務質素",
            "name_en": "Service quality",
            "max_points": 100,
            "indicators": [
                {
                    "name_zh": "服務質素",
                    "name_en": "Service quality",
                    "max_points": 100,
                    "focus_points_zh": "凸顯團隊精神和領導才能的整體表現",
                    "focus_points_en": "Overall performance showing teamwork and leadership",
                }
            ],
        },
        {
            "name_zh": "工作效率",
            "name_en": "Efficiency",
            "max_points": 100,
            "indicators": [{"name_zh": "工作效率", "name_en": "Efficiency", "max_points": 100}],
        },
        {
            "name_zh": "成本效益",
            "name_en": "Cost-effectiveness",
            "max_points": 100,
            "indicators": [
                {"name_zh": "成本效益", "name_en": "Cost-effectiveness", "max_points": 100}
            ],
        },
    ],
}

# The 23 departments that entered the award (assumed: the paper gives the number, not the
# names). They are the poll's candidates and nominate themselves in the review demo.
HK_DEPARTMENTS = [
    ("HK-IMMD", "入境事務處", "Immigration Department", "immigration"),
    ("HK-HKPF", "香港警務處", "Hong Kong Police Force", "police"),
    ("HK-FSD", "消防處", "Fire Services Department", "fire"),
    ("HK-IRD", "稅務局", "Inland Revenue Department", "tax"),
    ("HK-LR", "土地註冊處", "Land Registry", "land"),
    ("HK-TD", "運輸署", "Transport Department", "transport"),
    ("HK-FEHD", "食物環境衞生署", "Food and Environmental Hygiene Department", "environment"),
    ("HK-LCSD", "康樂及文化事務署", "Leisure and Cultural Services Department", "culture"),
    ("HK-SWD", "社會福利署", "Social Welfare Department", "social_welfare"),
    ("HK-LD", "勞工處", "Labour Department", "labour"),
    ("HK-HD", "房屋署", "Housing Department", "general"),
    ("HK-WSD", "水務署", "Water Supplies Department", "general"),
    ("HK-POST", "香港郵政", "Hongkong Post", "general"),
    ("HK-CED", "香港海關", "Customs and Excise Department", "immigration"),
    ("HK-EPD", "環境保護署", "Environmental Protection Department", "environment"),
    ("HK-DH", "衞生署", "Department of Health", "health"),
    ("HK-HAD", "民政事務總署", "Home Affairs Department", "general"),
    ("HK-CR", "公司註冊處", "Companies Registry", "general"),
    ("HK-RVD", "差餉物業估價署", "Rating and Valuation Department", "tax"),
    ("HK-HKO", "香港天文台", "Hong Kong Observatory", "general"),
    (
        "HK-AFCD",
        "漁農自然護理署",
        "Agriculture, Fisheries and Conservation Department",
        "environment",
    ),
    ("HK-EMSD", "機電工程署", "Electrical and Mechanical Services Department", "general"),
    ("HK-DSD", "渠務署", "Drainage Services Department", "environment"),
]

# The other 25 departments whose services the exhibition of 20-23 Feb 2003 presented: the
# seed says 48 departments exhibited and 23 entered the award, and names none of them.
# Real departments of the HKSAR Government of 2002-03; which ones is assumed. They are
# agencies of the demo (the exhibition asks every one), not entrants.
HK_EXHIBITORS = [
    ("HK-ARCHSD", "建築署", "Architectural Services Department", "general"),
    ("HK-AUD", "審計署", "Audit Commission", "general"),
    ("HK-BD", "屋宇署", "Buildings Department", "general"),
    ("HK-CSD", "懲教署", "Correctional Services Department", "other"),
    ("HK-CAD", "民航處", "Civil Aviation Department", "transport"),
    ("HK-CENGD", "土木工程署", "Civil Engineering Department", "general"),
    ("HK-CSTAT", "政府統計處", "Census and Statistics Department", "general"),
    ("HK-REO", "選舉事務處", "Registration and Electoral Office", "general"),
    ("HK-GFS", "政府飛行服務隊", "Government Flying Service", "other"),
    ("HK-GPA", "政府產業署", "Government Property Agency", "land"),
    ("HK-HYD", "路政署", "Highways Department", "transport"),
    ("HK-ISD", "政府新聞處", "Information Services Department", "general"),
    ("HK-ITSD", "資訊科技署", "Information Technology Services Department", "general"),
    ("HK-IPD", "知識產權署", "Intellectual Property Department", "general"),
    ("HK-JUD", "司法機構", "Judiciary", "general"),
    ("HK-LANDSD", "地政總署", "Lands Department", "land"),
    ("HK-LAD", "法律援助署", "Legal Aid Department", "social_welfare"),
    ("HK-MD", "海事處", "Marine Department", "transport"),
    ("HK-OFTA", "電訊管理局", "Office of the Telecommunications Authority", "general"),
    ("HK-PLAND", "規劃署", "Planning Department", "land"),
    ("HK-PRD", "印務局", "Printing Department", "general"),
    ("HK-RTHK", "香港電台", "Radio Television Hong Kong", "culture"),
    ("HK-GL", "政府化驗所", "Government Laboratory", "health"),
    ("HK-TSY", "庫務署", "Treasury", "general"),
    ("HK-ED", "教育署", "Education Department", "culture"),
]

# The scheme has given individual, team and department awards since 1999 (seed 000, para
# 3); 2002-03's focus was the department award (para 4). The team and individual awards of
# this edition, their names and rubrics (100 points, two criteria each) are assumed.
HK_TEAM_CATEGORY = {
    "code": "team",
    "name_zh": "團隊獎",
    "name_en": "Team award",
    "description_zh": "表揚在顧客服務方面表現突出的部門團隊。",
    "description_en": "For a department's team that stands out in customer service.",
}
HK_INDIVIDUAL_CATEGORY = {
    "code": "individual",
    "name_zh": "個人獎",
    "name_en": "Individual award",
    "description_zh": "表揚在顧客服務方面表現突出的公務員。",
    "description_en": "For a civil servant who stands out in customer service.",
}
HK_TEAM_RUBRIC = {
    "total_points": 100,
    "dimensions": [
        {
            "name_zh": "團隊精神",
            "name_en": "Teamwork",
            "max_points": 50,
            "indicators": [{"name_zh": "團隊精神", "name_en": "Teamwork", "max_points": 50}],
        },
        {
            "name_zh": "服務成效",
            "name_en": "Service results",
            "max_points": 50,
            "indicators": [{"name_zh": "服務成效", "name_en": "Service results", "max_points": 50}],
        },
    ],
}
HK_INDIVIDUAL_RUBRIC = {
    "total_points": 100,
    "dimensions": [
        {
            "name_zh": "服務態度",
            "name_en": "Service attitude",
            "max_points": 50,
            "indicators": [
                {"name_zh": "服務態度", "name_en": "Service attitude", "max_points": 50}
            ],
        },
        {
            "name_zh": "專業及主動",
            "name_en": "Professionalism and initiative",
            "max_points": 50,
            "indicators": [
                {
                    "name_zh": "專業及主動",
                    "name_en": "Professionalism and initiative",
                    "max_points": 50,
                }
            ],
        },
    ],
}

DEMO_PASSWORD = "award-demo-2026"

# (e-mail, name, [(role, agency code or None)], extra fields)
DEMO_USERS = [
    (
        "admin@demo.test",
        "系統管理員 Admin",
        [("secretariat", None)],
        {"is_staff": True, "is_superuser": True},
    ),
    ("secretariat@demo.test", "秘書處 陳怡君", [("secretariat", None)], {"is_staff": True}),
    ("editor@demo.test", "承辦人 林志明", [("agency_editor", "TW-TPE-ZSHR")], {}),
    ("editor-hk@demo.test", "Editor Chan Tai-man", [("agency_editor", "HK-IMMD")], {}),
    ("authority@demo.test", "主管機關 王美玲", [("authority_officer", "TW-TPE")], {}),
    (
        "reviewer@demo.test",
        "評審委員 張教授",
        [("reviewer", None)],
        {"affiliation_type": "academia", "affiliation": "國立政治大學公共行政學系"},
    ),
    (
        "assessor@demo.test",
        "神秘客 李小華",
        [("site_assessor", None)],
        {"affiliation_type": "private_sector", "affiliation": "優質服務顧問公司"},
    ),
    ("interviewer@demo.test", "電話訪問員 黃小姐", [("poll_interviewer", None)], {}),
    ("approver@demo.test", "核定 行政院", [("approver", None)], {}),
]
