//! Councils and invitations: from the child's questions to a prepared meeting.
//!
//! A council process belongs to a case — a network council (nettverksråd), a family group
//! conference (familieråd, also acute), a network meeting series or a responsibility group — and
//! follows its kind's states ([`domain`]) through gates ([`rules`]): no meeting before the team
//! is chosen, no confirmed meeting without the consents its kind needs. The child's description
//! and questions keep their author and the child's confirmation; the child chooses the team and
//! may object to someone. Invitations go out as jobs ([`invitations`]) with an `.ics`
//! ([`calendar`]), and each invitee answers on a page of their own ([`invitee`]).
//!
//! Council access is case access: every read and write opens the case through
//! [`crate::cases::access::with_case`] and leaves an audit row.

pub mod actions;
pub mod calendar;
pub mod domain;
pub mod handlers;
pub mod invitations;
pub mod invitee;
pub mod letter;
pub mod pages;
pub mod queries;
pub mod rules;
pub mod texts;
pub mod views;

/// The routes of this capability. Its section of the case page, [`pages::case_councils`], is
/// registered where the app is built (`app::case_page_sections`).
pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    use handlers::*;
    cfg.service(pages::councils_page)
        .service(pages::create_council)
        .service(pages::council_page)
        .service(pages::task_page)
        .service(pages::council_step)
        .service(invitee::show_invitation)
        .service(invitee::calendar_file)
        .service(invitee::answer_invitation)
        .service(letter::letter_page)
        .service(letter::letter_link)
        .service(list_councils)
        .service(create_council)
        .service(get_council)
        .service(change_state)
        .service(add_text)
        .service(confirm_text)
        .service(remove_text)
        .service(add_participant)
        .service(remove_participant)
        .service(confirm_team)
        .service(add_objection)
        .service(resolve_objection)
        .service(add_consent)
        .service(withdraw_consent)
        .service(set_waiver)
        .service(add_preparation)
        .service(schedule_meeting)
        .service(reschedule_meeting)
        .service(cancel_meeting)
        .service(send_invitations)
        .service(resend_invitation)
        .service(record_answer)
        .service(revoke_invitation)
        .service(record_past_meeting)
        .service(get_record)
        .service(save_record)
        .service(book_next_meeting);
}
