app-name = Renkei
choose = Please choose
search = Search
next-page = Next page

nav-dashboard = Home
nav-members = Members
nav-admin-agencies = Agencies
nav-admin-users = Users
nav-logout = Log out
acting-as = Acting as
acting-switch = Switch
lang-switch = 日本語

login-title = Log in
login-submit = Log in
login-failed = The email address or password is not correct.
login-locked = After repeated failed attempts, logging in to this account is paused. Please try again in { $minutes } minutes.
login-help = If you forgot your password, ask your agency's administrator or the system administrator.

dashboard-title = Home
dashboard-welcome = Hello, { $name }.
dashboard-admin = System administration
dashboard-admin-help = Register agencies and users and reset passwords. Case content is not shown here.
dashboard-no-agency = You are not a member of any agency yet. Ask your agency's administrator to add you.

account-title = Account
account-agencies = Agencies
account-password-title = Change password
account-password-submit = Change password
account-password-done = Your password was changed. Sessions on other devices were ended.
password-rules = Use at least 15 characters (no symbols or digits required). Common passwords and ones containing your name or email are refused.

field-email = Email address
field-password = Password
field-display-name = Name
field-current-password = Current password
field-new-password = New password
field-confirm-password = New password (again)
field-initial-password = Initial password
field-agency = Agency
field-agency-name = Agency name
field-kind = Kind
field-municipality = Municipality
field-address = Address
field-phone = Phone
field-members = Members
field-role = Role
field-job-title = Job title

error-required = Please fill this in.
error-choose = Please choose one.
error-email = This is not a valid email address.
error-too-long = Too long.
error-max-chars = At most { $max } characters.
password-too-short = The password must have at least 15 characters.
password-too-long = The password must have at most 256 characters.
password-common = This password is too common. Combine words that are hard to guess.
password-contains-identity = The password must not contain your name or email address.
password-mismatch = The two passwords do not match.
password-current-wrong = The current password is not correct.

error-title = Error
error-status = Status
error-request-id = Reference
error-back-home = Back to home
error-not-found = Page not found. Check the address or start from the home page.
error-forbidden = You are not allowed to do this.
error-csrf = The form was sent from another site and was refused. Please use this site's own pages.
error-method = This page cannot be used this way.
error-too-large = What you sent is too large. Please shorten it and try again.
error-too-many = Too many requests in a short time. Please wait a moment and try again.
error-unavailable = The database cannot be reached right now. Please try again shortly.
error-internal = Something went wrong. Please tell the administrator the reference below.
error-bad-request = The request could not be read. Please reload the page and try again.

admin-agencies-title = Agencies
admin-agency-create = Register agency
agency-duplicate = An agency with this name and address already exists.
admin-users-title = Users
admin-users-search = Email or name
admin-user-create = Register user
admin-user-state = State
admin-user-actions = Actions
admin-user-active = Active
admin-user-inactive = Deactivated
admin-user-activate = Activate
admin-user-deactivate = Deactivate
admin-user-reset = Reset password
admin-system-admin = System administrator
user-email-taken = This email address is already registered.
user-password-reset-done = The password of { $email } was reset and all their sessions were ended.

members-title = Members
members-add = Add member
members-add-help = Existing users are added by email and role. For a new user, also enter a name and an initial password.
members-new-user = For a new user
members-change-role = Change
members-remove = Remove from agency
member-already = This person is already a member of this agency.
member-self-demote = You cannot remove your own admin role. Ask another admin.
member-self-remove = You cannot remove yourself from this agency.

audit-title = Audit log
audit-at = When
audit-user = User
audit-acting = As agency
audit-action = Action
audit-outcome = Outcome
audit-ip = From

kind-clinic = Clinic
kind-transition_office = Employment transition office
kind-livelihood_center = Employment and livelihood support center
kind-vocational_center = Vocational center
kind-retention_office = Retention support office
kind-consultation_office = Consultation office
kind-hello_work = Hello Work
kind-employer = Employer
kind-other = Other agency

role-staff = Staff
role-coordinator = Coordinator
role-agency_admin = Agency admin
