use super::Layout;
use askama::Template;

#[derive(Template)]
#[template(path = "dashboard/index.html")]
pub struct Dashboard {
    pub layout: Layout,
}
