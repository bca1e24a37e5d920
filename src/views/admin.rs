use super::{Choice, Errors, Layout};
use crate::db::agencies::AgencyRow;
use crate::db::users::{MemberRow, UserRow};
use askama::Template;

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AgencyForm {
    pub name: String,
    pub kind: String,
    pub municipality: String,
    pub address: String,
    pub phone: String,
}

#[derive(Template)]
#[template(path = "admin/agencies.html")]
pub struct AgenciesPage {
    pub layout: Layout,
    pub agencies: Vec<AgencyRow>,
    pub form: AgencyForm,
    pub errors: Errors,
    pub kinds: Vec<Choice>,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct UserForm {
    pub email: String,
    pub display_name: String,
    pub password: String,
    pub agency_id: String,
    pub role: String,
    pub job_title: String,
    pub system_admin: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub users: Vec<UserRow>,
    pub search: String,
    pub next_after: Option<String>,
    pub agencies: Vec<AgencyRow>,
    pub form: UserForm,
    pub errors: Errors,
    pub roles: Vec<Choice>,
    /// Result of a reset or (de)activation, shown once.
    pub notice: Option<String>,
    /// Errors of the per-user reset forms: (user id, message).
    pub reset_error: Option<(uuid::Uuid, String)>,
    /// The listed users with a second factor on (the admin may reset it).
    pub second_factor_users: Vec<uuid::Uuid>,
}

#[derive(Template)]
#[template(path = "admin/members.html")]
pub struct MembersPage {
    pub layout: Layout,
    pub agency_name: String,
    pub members: Vec<MemberRow>,
    pub form: UserForm,
    pub errors: Errors,
    pub roles: Vec<Choice>,
    pub notice: Option<String>,
    /// The agency requires a second factor of its members.
    pub requires_second_factor: bool,
    /// The members with a second factor on.
    pub second_factor_users: Vec<uuid::Uuid>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub agency_name: String,
    pub review: super::audit::Review,
}

#[derive(Template)]
#[template(path = "admin/mail.html")]
pub struct MailPage {
    pub layout: Layout,
    pub on: bool,
    pub server: String,
    pub queue: String,
    pub last_error: Option<String>,
}
