"""The three roles, and every permission the code checks, written once. Groups and their
permissions are created by data migrations (demand/migrations/0002_roles_and_failure_categories.py
and later grants), which keep their own copies so that a migration never changes when this file
does."""

FRONT_OFFICE = "Front office"
TEAM_LEADER = "Team leader"
ADMINISTRATOR = "Administrator"
ROLES = (FRONT_OFFICE, TEAM_LEADER, ADMINISTRATOR)
# The roles whose members can own a case (be handed one).
CASE_OWNING_ROLES = (FRONT_OFFICE, TEAM_LEADER)

# See cases at all (find a case, the case page, my cases).
VIEW_CASES = "cases.view_case"
# Take contacts: log a contact, open a case.
LOG_CONTACTS = "demand.add_contact"
# Change a case one does not own (team leaders).
CHANGE_ANY_CASE = "cases.change_any_case"
# Read the audit trail (a case's History).
VIEW_AUDIT = "cases.view_auditentry"
# Download everything held about a citizen (a subject access request).
EXPORT_CITIZEN_DATA = "cases.export_citizen_data"
# Change a contact's classification after review (team leaders).
RECLASSIFY_CONTACT = "demand.reclassify_contact"
# Study demand: overview, charts, the contacts behind a number, the export (team leaders).
STUDY_DEMAND = "demand.study_demand"
# Study capability and flow (team leaders).
STUDY_CAPABILITY = "cases.study_capability"
# Record a system change (team leaders).
RECORD_SYSTEM_CHANGE = "improvement.add_systemchange"
# Correct or withdraw a system change: whoever may record one, not only the one who recorded it
# (people move on); the audit trail says who did.
CORRECT_SYSTEM_CHANGE = RECORD_SYSTEM_CHANGE
# Read the improvement register: system conditions with their evidence, system changes and
# whether they worked (the front office and team leaders: the front office sees the demand).
VIEW_IMPROVEMENT = "improvement.view_systemcondition"
# Record, correct or withdraw a system condition (team leaders).
RECORD_SYSTEM_CONDITION = "improvement.add_systemcondition"
CORRECT_SYSTEM_CONDITION = RECORD_SYSTEM_CONDITION
# Mark a contact as evidence of a system condition, and remove one's own mark (front office and
# team leaders).
MARK_EVIDENCE = "improvement.add_conditionevidence"
# Remove a mark someone else made (team leaders).
REMOVE_ANY_EVIDENCE = "improvement.change_conditionevidence"

# Local accounts in these roles must sign in with a second factor (an authenticator app's code
# or a recovery code); for everyone else it is optional (staff/two_factor.py).
TWO_FACTOR_ROLES = (TEAM_LEADER, ADMINISTRATOR)
