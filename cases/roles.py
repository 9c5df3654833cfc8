"""The three roles. Groups and their permissions are created by a data migration
(demand/migrations/0002_roles_and_failure_categories.py), which keeps its own copy of this list
so that the migration never changes when this file does."""

FRONT_OFFICE = "Front office"
TEAM_LEADER = "Team leader"
ADMINISTRATOR = "Administrator"
ROLES = (FRONT_OFFICE, TEAM_LEADER, ADMINISTRATOR)

# Permission needed to see cases at all (find, case page, my cases).
VIEW_CASES = "cases.view_case"
# Permission needed to take contacts: log a contact, open a case.
LOG_CONTACTS = "demand.add_contact"
# Permission that lets a team leader change a case they do not own.
CHANGE_ANY_CASE = "cases.change_any_case"
# Permission to study capability and flow (team leaders).
STUDY_CAPABILITY = "cases.study_capability"
# Permission to read the audit trail (a case's History).
VIEW_AUDIT = "cases.view_auditentry"
# Permission to download everything held about a citizen (a subject access request).
EXPORT_CITIZEN_DATA = "cases.export_citizen_data"
