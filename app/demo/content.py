"""The demo council's people and the words in their answers.

Made up for demonstration, in the voice of a district council's lead officers.
Each department has a status in the demo cycle and a strength (0 to 1) that
decides how well its answers meet the targets. A lead officer has one job title,
whichever of their departments they answer for, and it names the work they lead.

Evidence names dates by the audit year it is given in: {year} is the year the
cycle's period starts (2026 for "2026 to 2027"), {last} the year before and {next}
the year after, so last year's answers never cite this year's documents.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoDepartment:
    code: str
    lead_name: str
    lead_title: str
    status: str  # not_started | in_progress | submitted | returned | accepted
    strength: float
    core: str  # what the department does, in its own words
    links: str  # where its work touches crime and disorder
    proud_of: str
    indicators: str
    joint_project: str


HOUSING_AND_ENVIRONMENTAL_HEALTH = "Head of Housing and Environmental Health"  # Priya Shah leads both

DEPARTMENTS: tuple[DemoDepartment, ...] = (
    DemoDepartment(
        "CLD", "Amira Hussain", "Head of Community and Leisure", "accepted", 0.92,
        "Leisure centres, sports development, arts, youth activities, the CCTV control room and the community "
        "safety team.",
        "Evening and holiday activities give young people somewhere to go in the places where anti-social "
        "behaviour reports peak. The CCTV control room supports the police in the town centre every night.",
        "Friday night football at the leisure centre, run with the police since 2023: reports of anti-social "
        "behaviour in the park next door fell by a third in its first year.",
        "Youth activity attendance in priority wards; CCTV incidents passed to the police; time to repair "
        "vandalism at leisure sites.",
        "Friday night football with the police and the youth service.",
    ),
    DemoDepartment(
        "TECH", "Daniel Price", "Technical Services Manager", "submitted", 0.55,
        "Parks and open spaces, car parks, street cleansing, public toilets, street furniture and bus shelters.",
        "How parks and car parks are designed, lit and kept shapes both crime and the fear of it. Our cleansing "
        "crews are often the first to find fly-tipping, graffiti and drug litter.",
        "New lighting and cut-back hedges at the Maurice Lea Park entrance, agreed with the police designing out "
        "crime officer.",
        "Fly-tipping incidents cleared within 48 hours; offensive graffiti removed within one working day.",
        "Lighting improvements at two car parks with the police and the town council.",
    ),
    DemoDepartment(
        "LEGAL", "Fiona McLeod", "Head of Legal and Democratic Services", "submitted", 0.7,
        "Legal advice to the council, anti-social behaviour injunctions, licensing hearings, committee "
        "administration and elections.",
        "We bring the legal cases that stop persistent anti-social behaviour, and the committee report template "
        "we manage is where every decision should show its effect on crime and disorder.",
        "The committee report template now has a compulsory community safety paragraph, checked before "
        "publication.",
        "Injunctions obtained; licensing reviews completed on time.",
        "Joint injunction applications with the police for two town centre cases.",
    ),
    DemoDepartment(
        "ITCS", "Kwame Mensah", "Customer Services Manager", "in_progress", 0.4,
        "The customer contact centre, the website, IT systems and information management.",
        "Staff at the contact centre hear residents' reports of nuisance first, and our systems hold data the "
        "partnership could use if it were shared properly.",
        "Safety training for contact centre staff who deal with aggressive customers.",
        "Calls about anti-social behaviour passed to the right team within one day.",
        "None yet.",
    ),
    DemoDepartment(
        "AUDIT", "Rachel Ainsworth", "Audit Manager", "submitted", 0.6,
        "Internal audit of the council's systems, counter-fraud work and risk management.",
        "Fraud against the council is crime. Our reviews check that services have thought about crime and misuse "
        "when they design their procedures.",
        "The 2024 review of cash handling at leisure sites, which closed two routes for theft.",
        "Audit recommendations implemented; fraud referrals investigated.",
        "Data matching with the police on housing benefit fraud.",
    ),
    DemoDepartment(
        "REV", "Martin Cole", "Revenues and Benefits Manager", "returned", 0.3,
        "Council tax, business rates, housing benefit, the cash office and concessionary travel passes.",
        "Benefit fraud, the security of the cash office, and customers who become aggressive at the counter.",
        "A new screen at the cash office counter.",
        "Benefit overpayments recovered.",
        "None.",
    ),
    DemoDepartment(
        "PLAN", "Joanna Reid", "Planning Services Manager", "accepted", 0.85,
        "Planning applications, planning policy, building control and enforcement of planning breaches.",
        "The layout, lighting and sight lines of every new development affect crime for decades. The police "
        "designing out crime officer comments on all major applications.",
        "Designing out crime is now a policy in the local plan, and conditions on lighting and layout are used on "
        "every major housing site.",
        "Major applications with designing out crime advice; planning conditions on security discharged.",
        "The designing out crime panel with the police, meeting monthly.",
    ),
    DemoDepartment(
        "HOUS", "Priya Shah", HOUSING_AND_ENVIRONMENTAL_HEALTH, "in_progress", 0.75,
        "Council housing management, tenancy enforcement, homelessness, sheltered housing and the housing "
        "register.",
        "Tenancy enforcement is our main tool against anti-social behaviour on estates. We support victims of "
        "domestic abuse and people leaving prison, and secure the homes of vulnerable tenants.",
        "The sanctuary scheme, which makes homes safe for victims of domestic abuse so that they do not have to "
        "move.",
        "Anti-social behaviour cases resolved; sanctuary scheme installations; repeat victims.",
        "Estate walkabouts with the neighbourhood policing team every month.",
    ),
    DemoDepartment(
        "POL", "Owen Jenkins", "Policy and Performance Manager", "accepted", 0.8,
        "The corporate plan, performance management, consultation, the citizens' panel and research.",
        "We write the plans every department works to, and we run the surveys that tell us how safe residents "
        "feel.",
        "Community safety measures in the corporate performance report every quarter.",
        "Residents who feel safe after dark, from the citizens' panel.",
        "A joint residents' survey with the police and the county council.",
    ),
    DemoDepartment(
        "FIN", "Claire Whitaker", "Finance Manager", "not_started", 0.5,
        "Budgets, procurement, insurance and payments.",
        "Budgets for community safety work, crime clauses in contracts, and insurance claims that show where "
        "vandalism and arson happen.",
        "", "", "",
    ),
    DemoDepartment(
        "ENVH", "Priya Shah", HOUSING_AND_ENVIRONMENTAL_HEALTH, "returned", 0.6,
        "Licensing of premises and taxis, noise and nuisance, food safety, fly-tipping enforcement and abandoned "
        "vehicles.",
        "Licensing decisions shape the evening economy; noise complaints are often the first sign of wider "
        "problems; fly-tipping and abandoned vehicles are crimes that blight neighbourhoods.",
        "Joint licensing visits with the police to the town centre's late-night venues.",
        "Fly-tipping prosecutions; noise complaints resolved; licensing reviews.",
        "Joint licensing visits with the police.",
    ),
    DemoDepartment(
        "ECON", "Simon Hartley", "Economic Development Officer", "not_started", 0.5,
        "Town centre management, business support, markets and tourism.",
        "Business crime, shop and pub watch schemes, and the evening economy.",
        "", "", "",
    ),
    DemoDepartment(
        "PERS", "Nadia Rahman", "Personnel and Development Manager", "in_progress", 0.5,
        "Recruitment, induction, training, staff welfare and health and safety.",
        "Whether staff know the duty depends on induction and training, and lead officers' job descriptions are "
        "ours to keep up to date.",
        "The new induction module on the council's public duties.",
        "Staff completing induction within three months.",
        "None.",
    ),
)

RETURN_REASONS = {
    "ENVH": ("Please say where in your service plan the licensing and noise work is described (with the page "
             "number), and add the training figures for your managers: Personnel can give you them."),
    "REV": ("Several answers are 'yes' without evidence we could check. Please give the title and date of the "
            "report on the fraud work, and say which performance indicators you collect."),
}

# Evidence in the voice of the department; {name} is the department, {lead} its lead officer, {title} their
# job title; {year}, {last} and {next} as above. Only answers that meet the question at least in part carry
# evidence: a "No" or "Never" has nothing to show (app/demo/answers.py).
EVIDENCE = {
    "awareness-managers-duty": "Briefing for the {name} management team, March {year}: all managers attended.",
    "awareness-asb-environment": "{name} service plan {year} to {next}, section 3.",
    "awareness-substance-misuse": "Procedure for staff who find drug litter or needles, updated {last}.",
    "awareness-reoffending": "Referral route agreed with probation in {last}.",
    "awareness-serious-violence": "Contribution to the county serious violence strategy, January {year}.",
    "lead-named": "{lead}, {title}.",
    "lead-in-job-description": "Job description updated in May {last}.",
    "lead-reports-to-management": "Report to the {name} management team, 12 February {year}.",
    "plan-mentions-duty": "{name} service plan {year} to {next}, section 4 'Community safety', page {page}.",
    "plan-targets-quality": "Targets CS1 to CS4 in section 4 of the plan.",
    "plan-indicators": "{indicators}",
    "reports-implications": "Cabinet report 'Review of car park charges', 14 January {year}, paragraph 9.",
    "reports-advice-sought": "Advice from the community safety team recorded in the report's consultation section.",
    "training-managers-share": "Figures from Personnel's training records, April {year}.",
    "training-induction": "Departmental induction checklist, item 7.",
    "training-guidance-available": "Intranet page 'Section 17: what it means for your service'.",
    "impact-assessment-used": "Community impact assessment for the {last} service review.",
    "impact-designing-out": "Advice from the police designing out crime officer on file for each scheme.",
    "impact-procurement": "Standard contract clause 14 on crime and disorder.",
    "impact-risk-review": "Internal audit report IA/{last}/14, September {last}.",
    "partnership-data-shared": "Monthly figures sent to the partnership analyst, with personal details removed.",
    "partnership-joint-projects": "{joint_project}",
    "partnership-strategy-priorities": "Priority 2, anti-social behaviour in the town centre and on estates.",
    "monitoring-actions-reviewed": "Management team minutes: community safety is a standing item.",
    "monitoring-outcomes-measured": "Before and after figures reported to the partnership in {last}.",
    "monitoring-last-audit-actions": "Action plan from the {last} audit, updated quarterly.",
}

PARTNERSHIP_EVIDENCE = [
    "Strategy group terms of reference, agreed April {year}.",
    "Minutes of the strategy group, 4 March {year}.",
    "Partnership plan {last} to {plan_end}, refreshed April {year}.",
    "Report to the crime and disorder committee, 20 January {year}.",
    "Strategic assessment {last}, section 2.",
    "Information sharing protocol, signed by all partners in {last}.",
    "Published on the council's website, community safety pages.",
    "Public meeting held on 11 March {year}, with the chief inspector and the chief executive.",
]
PARTNERSHIP_ACTIONS = [
    "Agree at the next strategy group meeting, by March {next}.",
    "Community safety manager to draft a proposal by the end of January {next}.",
    "Include in the refresh of the partnership plan in April {next}.",
    "Ask the county partnership to lead, and report back by June {next}.",
]

GENERIC_TEXT = {
    "functions-missed-opportunities": ("We could share more of our information with the partnership and involve the "
                                       "community safety team earlier in new projects."),
    "decisions-reversed": "A proposal to close a footpath was changed after the police raised concerns about lighting.",
    "impact-last-example": "We moved the entrance of a new building so that it faces the street and can be seen.",
    "practice-ideas": "A short yearly refresher for every manager, and named contacts in the police for each service.",
}
