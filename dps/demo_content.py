"""The words of the demo market: answers, questions, reasons and tender texts.

Plain data, kept apart from the code that loads it (dps.demo_market, dps.demo_tenders), so the
demo reads like a real Nottinghamshire DPS without the loaders growing long.
"""

from __future__ import annotations

DPS_TITLE = "Home based care and support in Nottinghamshire"
DPS_DESCRIPTION = (
    "Home based care and support for adults across Nottinghamshire's seven districts, bought "
    "jointly by Nottinghamshire County Council and its NHS partners. About 1,800 people receive "
    "20,137 hours of care a week. Providers may apply to join at any time during the ten-year "
    "term; mini-tenders for each district and service are run from the providers admitted."
)

# The district each demo provider works from, by the first word of its name.
HOME_DISTRICT = {
    "Ashfield": "ashfield",
    "Hucknall": "ashfield",
    "Kirkby": "ashfield",
    "Sutton": "ashfield",
    "Bassetlaw": "bassetlaw",
    "Retford": "bassetlaw",
    "Worksop": "bassetlaw",
    "Broxtowe": "broxtowe",
    "Beeston": "broxtowe",
    "Eastwood": "broxtowe",
    "Gedling": "gedling",
    "Arnold": "gedling",
    "Carlton": "gedling",
    "Mansfield": "mansfield",
    "Newark": "newark_sherwood",
    "Sherwood": "newark_sherwood",
    "Ollerton": "newark_sherwood",
    "Blidworth": "newark_sherwood",
    "Southwell": "newark_sherwood",
    "Collingham": "newark_sherwood",
    "Rushcliffe": "rushcliffe",
    "Bingham": "rushcliffe",
    "Trent": "rushcliffe",
}
NEIGHBOURS = {
    "ashfield": ("mansfield", "broxtowe", "gedling", "newark_sherwood"),
    "bassetlaw": ("newark_sherwood", "mansfield"),
    "broxtowe": ("ashfield", "gedling", "rushcliffe"),
    "gedling": ("rushcliffe", "newark_sherwood", "broxtowe", "ashfield"),
    "mansfield": ("ashfield", "newark_sherwood", "bassetlaw"),
    "newark_sherwood": ("mansfield", "bassetlaw", "gedling", "rushcliffe"),
    "rushcliffe": ("gedling", "broxtowe", "newark_sherwood"),
}
# Villages a district's providers may also offer (North Bassetlaw is left thin on purpose).
RURAL = {
    "newark_sherwood": ("sherwood_forest_rural", "newark_east_rural"),
    "rushcliffe": ("vale_of_belvoir_rural",),
}

INSURERS = (
    "Markel (UK) Limited",
    "Hiscox Insurance Company Limited",
    "Zurich Insurance plc",
    "QBE UK Limited",
    "Aviva Insurance Limited",
    "Royal & Sun Alliance Insurance Limited",
)

TURNOVER = {
    "micro": "About £{thousands},000 in 2025/26, from council packages, direct payments and a "
    "few private clients. We have no borrowing.",
    "small": "£{millions} million in 2025/26. Our accounts are prepared by an independent "
    "accountant and we hold three months' running costs in reserve.",
    "medium": "£{millions} million in 2025/26. Our audited accounts and a bank reference are "
    "attached.",
    "large": "£{millions} million across our branches in 2025/26, of which about a fifth is in "
    "Nottinghamshire. The group's audited accounts are attached.",
}
TRAINING = (
    "Every new care worker completes the Care Certificate before working alone.",
    "New starters shadow an experienced colleague for at least three shifts.",
    "Supervision is monthly for the first six months and every quarter after that.",
    "Senior carers carry out unannounced spot checks on every care worker twice a year.",
    "Dementia awareness, moving and handling and medication training are refreshed each year.",
    "We pay care workers for their time in training and supervision.",
    "Two of our coordinators are accredited trainers for moving and handling.",
)

REJECT_MANDATORY = (
    "You declared that the organisation has been found to have breached its obligations to pay "
    "tax or National Insurance contributions. This is a mandatory ground for exclusion, so we "
    "cannot admit you. You may apply again once what is owed has been paid, with evidence."
)
MISCONDUCT_EXPLANATION = (
    "A neighbouring council ended our contract early in March 2025 after missed calls during "
    "staff shortages over the winter."
)
REJECT_MISCONDUCT = (
    "You told us a contract was ended early for poor performance in 2025. You have not shown "
    "what you have done to put it right, such as changes to rostering, call monitoring and "
    "recruitment. You may apply again at any time with that evidence."
)
PARTIAL_REASON = (
    "You have not shown how you would staff visits in {zone}: none of your care workers live "
    "there yet and you have no packages nearby. You may apply for it again when you do."
)
EXTENSION_REASON = (
    "The bank reference the applicant gave has not replied yet, and we need it to check "
    "economic and financial standing."
)
CLARIFICATIONS = (
    (
        "Your safeguarding policy is dated 2021 and refers to guidance that has since changed. "
        "Please upload your current policy, or tell us when it was last reviewed.",
        "The policy was reviewed in January 2026; the date on the front page was not updated. "
        "We have corrected it and can send the reviewed copy.",
    ),
    (
        "You asked to join for rural villages. How many of your care workers live in or near "
        "them, and how will you cover visits there in winter?",
        "Six care workers live within five miles and two have four-wheel drive cars. In snow we "
        "pair rural runs and our coordinator covers the first call of the day.",
    ),
    (
        "Your employer's liability certificate names a different company. Please explain how "
        "it relates to your organisation.",
        None,
    ),
    (
        "Your turnover figure is much lower than the hours you say you deliver. Please check "
        "it and tell us which year it covers.",
        None,
    ),
    (
        "Your CQC location ID does not match the office address you gave. Please confirm "
        "where the service is registered.",
        None,
    ),
)

# ---- stage 2: the tenders ---------------------------------------------------------------------

HOME_CARE_TITLE = "Generic home care — 7 district lots"
HOME_CARE_DESCRIPTION = (
    "Home care for older adults in each of Nottinghamshire's seven districts from the spring, "
    "awarded on quality (60%) and price (40%). Bid for the districts you are admitted to; one "
    "provider may win at most two lots. Price your hourly rate with the UKHCA-style breakdown, "
    "and give your rates for 15, 30, 45 and 60-minute visits."
)
# (lot title, zones, hours a week, providers to appoint): 20,137 hours a week county-wide.
HOME_CARE_LOTS = (
    ("Ashfield", ("ashfield",), "3150", 3),
    ("Bassetlaw", ("bassetlaw", "bassetlaw_north_rural"), "3020", 3),
    ("Broxtowe", ("broxtowe",), "2640", 2),
    ("Gedling", ("gedling",), "2810", 2),
    ("Mansfield", ("mansfield",), "3060", 3),
    ("Newark and Sherwood", ("newark_sherwood", "sherwood_forest_rural", "newark_east_rural"),
     "3000", 3),
    ("Rushcliffe", ("rushcliffe", "vale_of_belvoir_rural"), "2457", 2),
)  # fmt: skip
NIGHT_CARE_TITLE = "Night care — Newark and Sherwood and Bassetlaw"
NIGHT_CARE_DESCRIPTION = (
    "Waking and sleeping nights at home for people leaving hospital or at the end of life, in "
    "Newark and Sherwood and in Bassetlaw, including their rural villages."
)
NIGHT_CARE_LOTS = (
    ("Newark and Sherwood", ("newark_sherwood", "sherwood_forest_rural", "newark_east_rural"),
     "420", 2),
    ("Bassetlaw", ("bassetlaw", "bassetlaw_north_rural"), "350", 2),
)  # fmt: skip
GUIDANCE = "Give examples from services you run now, and say who does what and by when."

# Each question: its settings, then sentences an answer is made from ({lot} is the lot's name).
HOME_CARE_QUESTIONS = (
    {
        "text": "How will you start new packages of care within 48 hours of a referral in "
        "this lot, including at weekends and for people leaving hospital?",
        "weight": "30", "word_limit": 500, "min_mark": 2, "marked_by": "officer",
        "answers": (
            "Our coordinator in {lot} reviews every referral within two hours, seven days a week.",
            "We keep a reserve of about 20 hours a week in each run so that new packages can "
            "start the next day.",
            "For hospital discharges a senior carer visits the ward or the home before the first "
            "call, so the care plan is ready on day one.",
            "Last winter we started 87% of new packages within 48 hours, and all within 72.",
            "At weekends an on-call manager can accept a package and arrange the first visits.",
            "We agree a start date with the brokerage team and confirm it in writing the same day.",
        ),
    },
    {
        "text": "How will you recruit, train and keep enough care workers to deliver the hours "
        "in this lot, including in rural villages?",
        "weight": "30", "word_limit": 500, "min_mark": 2, "marked_by": "officer",
        "answers": (
            "We pay every care worker at least the National Living Wage for contact and travel "
            "time, and mileage at 45p a mile.",
            "Rotas keep care workers in a small patch of {lot}, so they spend less time driving.",
            "Our staff turnover was 21% last year, well below the sector average.",
            "We recruit locally through job centres, colleges and word of mouth, with a bonus for "
            "referring a friend.",
            "Every new starter completes the Care Certificate and shadows a colleague first.",
            "Care workers choose guaranteed hours contracts; most have chosen them.",
            "Two care workers with four-wheel drive cars cover the villages in snow.",
        ),
    },
    {
        "text": "How will you make sure the people you support, and their families, have a say "
        "in how their care is given?",
        "weight": "25", "word_limit": 400, "min_mark": 2, "marked_by": "panel",
        "plain_guidance": "Does the answer show that people using the service are listened to, "
        "and that things change because of what they say?",
        "answers": (
            "We ask each person what a good day looks like for them, and write it in their care "
            "plan in their own words.",
            "People choose the times of their visits where they can, and we tell them if a care "
            "worker will be late.",
            "We phone every person after their first week and then every three months.",
            "A group of people who use our service meets twice a year and helped rewrite our "
            "leaflets.",
            "Families can ring the office at any time and speak to someone who knows the person.",
            "When someone complains we apologise, put it right and tell them what we changed.",
        ),
    },
    {
        "text": "How will you work with district nurses, GPs and hospital discharge teams to help "
        "people stay well at home?",
        "weight": "15", "word_limit": 300, "min_mark": None, "marked_by": "officer",
        "answers": (
            "Care workers report changes in skin, eating or mood the same day.",
            "We share a contact sheet with each GP practice in {lot}.",
            "Our senior carers join the weekly multidisciplinary meeting when asked.",
            "We use the county's hospital discharge form so nothing is missed on the first visit.",
            "Care workers are trained to spot the early signs of falls and infections.",
        ),
    },
)  # fmt: skip
NIGHT_CARE_QUESTIONS = (
    {
        "text": "How will you staff waking and sleeping nights at short notice across this lot?",
        "weight": "40", "word_limit": 400, "min_mark": 2, "marked_by": "officer",
        "answers": (
            "We keep a night team of eight care workers based in {lot}.",
            "A night coordinator is on call from 8pm to 8am and can cover a shift within two "
            "hours.",
            "Night staff work no more than four nights in a row, with two rest days after.",
            "Every night care worker is trained in end of life care and medication.",
        ),
    },
    {
        "text": "How will you keep people, and the care workers who visit them at night, safe?",
        "weight": "35", "word_limit": 400, "min_mark": 2, "marked_by": "officer",
        "answers": (
            "Care workers check in and out on their phones; a missed check-in alerts the "
            "coordinator at once.",
            "We risk-assess each home before the first night, including parking and lighting.",
            "Lone workers carry a personal alarm linked to our on-call manager.",
            "We agree with each family what to do if the person becomes unwell in the night.",
        ),
    },
    {
        "text": "How will the people you support at night, and their families, have a say in "
        "their care?",
        "weight": "25", "word_limit": 300, "min_mark": 2, "marked_by": "panel",
        "plain_guidance": "Does the answer show that people and families are asked what they "
        "want at night, and that their wishes are followed?",
        "answers": (
            "We ask how the person likes to settle for the night and who they want told if "
            "something happens.",
            "Families can leave notes for the night care worker in the care diary.",
            "We phone the family after the first night to ask how it went.",
        ),
    },
)  # fmt: skip
TENDER_QUESTION = (
    "We are {name} and already deliver about 300 hours a week in Mansfield. Can our existing "
    "packages count towards the capacity we state for the Mansfield lot?"
)
TENDER_PUBLISHED_QUESTION = (
    "A provider already delivering packages in a district asks whether existing packages count "
    "towards the capacity it states for that lot."
)
TENDER_ANSWER = (
    "No. State only the additional hours a week you can take on in the lot from the contract "
    "start date. Existing packages continue under their current terms and are not part of this "
    "tender."
)
SUBCONTRACTOR_ROLE = "subcontractor"
SUBCONTRACTOR_NAME = "Sherwood Forest Carers CIC"
