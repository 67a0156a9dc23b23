//! Diesel's view of the tables in `migrations/`. Kept by hand, in the same order as the SQL.

diesel::table! {
    tenants (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        time_zone -> Text,
        locale -> Text,
        created_at -> Timestamptz,
        sender_name -> Nullable<Text>,
        reply_to -> Nullable<Text>,
        quiet_start_hour -> Int2,
        quiet_end_hour -> Int2,
        meeting_minutes -> Int4,
        reminder_days -> Array<Int4>,
        chase_after_days -> Int4,
        chase_max -> Int4,
        map_review_months -> Int4,
        preparation_check_days -> Int4,
        evaluation_age_years -> Int4,
        evaluation_months_younger -> Int4,
        evaluation_months_older -> Int4,
        commitment_notice_days -> Int4,
        evaluation_undocumented_days -> Int4,
        second_factor_required -> Bool,
        self_information_reminder_days -> Int4,
        self_information_reminder_max -> Int4,
        interview_reminder_days -> Int4,
        decision_overdue_days -> Int4,
        sms_sender -> Nullable<Text>,
        follow_up_weeks_ahead -> Int4,
    }
}

diesel::table! {
    tenant_municipalities (tenant_id, kommunenummer) {
        tenant_id -> Uuid,
        kommunenummer -> Text,
        name -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    users (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamptz,
        lang -> Text,
        last_login_at -> Nullable<Timestamptz>,
        work_phone -> Nullable<Text>,
    }
}

diesel::table! {
    account_tokens (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        user_id -> Uuid,
        purpose -> Text,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    api_keys (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        name -> Text,
        role -> Text,
        key_hash -> Bytea,
        key_prefix -> Text,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        user_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    audit_log (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Int8,
        at -> Timestamptz,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        object_kind -> Nullable<Text>,
        object_id -> Nullable<Text>,
        outcome -> Text,
        request_id -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::table! {
    jobs (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        kind -> Text,
        payload -> Jsonb,
        subject_kind -> Nullable<Text>,
        subject_id -> Nullable<Uuid>,
        due_at -> Timestamptz,
        status -> Text,
        attempts -> Int4,
        lease_until -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_at -> Timestamptz,
        finished_at -> Nullable<Timestamptz>,
        urgent -> Bool,
    }
}

diesel::table! {
    sessions (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    operators (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        created_at -> Timestamptz,
        last_login_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    user_factors (tenant_id, user_id) {
        tenant_id -> Uuid,
        user_id -> Uuid,
        secret_sealed -> Bytea,
        last_step -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    recovery_codes (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        user_id -> Uuid,
        code_hash -> Bytea,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    operator_sessions (id) {
        id -> Uuid,
        operator_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(operator_sessions -> operators (operator_id));

diesel::table! {
    operator_factors (operator_id) {
        operator_id -> Uuid,
        secret_sealed -> Bytea,
        last_step -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    operator_recovery_codes (id) {
        id -> Uuid,
        operator_id -> Uuid,
        code_hash -> Bytea,
        created_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    operator_audit (id) {
        id -> Int8,
        at -> Timestamptz,
        operator_id -> Uuid,
        action -> Text,
        outcome -> Text,
        request_id -> Nullable<Text>,
        details -> Jsonb,
    }
}

diesel::joinable!(operator_factors -> operators (operator_id));
diesel::joinable!(operator_recovery_codes -> operators (operator_id));
diesel::joinable!(operator_audit -> operators (operator_id));

diesel::table! {
    children (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        first_name -> Text,
        last_name -> Text,
        birth_year -> Int2,
        birth_date -> Nullable<Date>,
        gender -> Text,
        language -> Nullable<Text>,
        interpreter_needed -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    cases (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        child_id -> Uuid,
        phase -> Text,
        acute -> Bool,
        opened_at -> Timestamptz,
        phase_changed_at -> Timestamptz,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        reference -> Nullable<Text>,
        municipality -> Nullable<Text>,
        where_child_can_go -> Nullable<Text>,
    }
}

diesel::table! {
    case_assignments (tenant_id, case_id, user_id) {
        tenant_id -> Uuid,
        case_id -> Uuid,
        user_id -> Uuid,
        assigned_by -> Nullable<Uuid>,
        assigned_at -> Timestamptz,
    }
}

diesel::table! {
    network_persons (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        case_id -> Uuid,
        name -> Text,
        relation -> Nullable<Text>,
        category -> Text,
        side -> Text,
        lineage -> Text,
        closeness -> Text,
        quality -> Text,
        can_strengthen -> Bool,
        can_step_in -> Bool,
        step_in_how -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        address -> Nullable<Text>,
        abroad_other_culture -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
        preferred_channel -> Text,
        email_too -> Bool,
        reachable_when -> Nullable<Text>,
        can_take_child -> Bool,
        language -> Nullable<Text>,
        interpreter -> Nullable<Text>,
    }
}

diesel::table! {
    child_words (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        case_id -> Uuid,
        person_id -> Uuid,
        text -> Text,
        author -> Text,
        written_at -> Timestamptz,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    map_revisions (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        case_id -> Uuid,
        number -> Int4,
        revised_on -> Date,
        phase -> Text,
        child_participated -> Bool,
        participation -> Nullable<Text>,
        persons -> Jsonb,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    costly_measures (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        case_id -> Uuid,
        kind -> Text,
        description -> Nullable<Text>,
        status -> Text,
        proposed_by -> Nullable<Uuid>,
        proposed_at -> Timestamptz,
        decided_by -> Nullable<Uuid>,
        decided_at -> Nullable<Timestamptz>,
        withdrawn_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    network_checks (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        case_id -> Uuid,
        measure_id -> Uuid,
        kind -> Text,
        checked_on -> Nullable<Date>,
        result -> Nullable<Text>,
        justification -> Nullable<Text>,
        recorded_by -> Nullable<Uuid>,
        recorded_at -> Timestamptz,
    }
}

diesel::table! {
    network_check_persons (tenant_id, check_id, person_id) {
        tenant_id -> Uuid,
        case_id -> Uuid,
        check_id -> Uuid,
        person_id -> Uuid,
    }
}

diesel::table! {
    councils (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        case_id -> Uuid,
        kind -> Text,
        acute -> Bool,
        state -> Text,
        coordinator_id -> Uuid,
        team_chosen_at -> Nullable<Timestamptz>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    council_texts (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        council_id -> Uuid,
        kind -> Text,
        position -> Int2,
        text -> Text,
        author -> Text,
        child_confirmed_at -> Nullable<Timestamptz>,
        shared -> Bool,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    council_participants (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        council_id -> Uuid,
        case_id -> Uuid,
        person_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        chosen_by_child -> Bool,
        meeting_role -> Text,
        side -> Text,
        created_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    council_objections (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        council_id -> Uuid,
        case_id -> Uuid,
        person_id -> Uuid,
        reason -> Text,
        resolution -> Nullable<Text>,
        resolved_at -> Nullable<Timestamptz>,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    council_consents (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        council_id -> Uuid,
        given_by -> Text,
        name -> Text,
        scope -> Text,
        informed_at -> Timestamptz,
        granted_at -> Timestamptz,
        withdrawn_at -> Nullable<Timestamptz>,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        oral -> Bool,
    }
}

diesel::table! {
    council_waivers (tenant_id, participant_id) {
        tenant_id -> Uuid,
        participant_id -> Uuid,
        council_id -> Uuid,
        scope -> Text,
        granted_at -> Timestamptz,
        withdrawn_at -> Nullable<Timestamptz>,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    council_preparations (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        council_id -> Uuid,
        participant_id -> Uuid,
        held_at -> Timestamptz,
        notes -> Nullable<Text>,
        contribution -> Nullable<Text>,
        recorded_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    council_meetings (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        council_id -> Uuid,
        starts_at -> Nullable<Timestamptz>,
        duration_minutes -> Int4,
        place -> Nullable<Text>,
        video_link -> Nullable<Text>,
        agenda -> Jsonb,
        status -> Text,
        calendar_uid -> Uuid,
        sequence -> Int4,
        confirmed_at -> Nullable<Timestamptz>,
        cancelled_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        place_shared -> Bool,
        recorded_afterwards_reason -> Nullable<Text>,
        moved_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    council_meeting_records (tenant_id, meeting_id) {
        tenant_id -> Uuid,
        meeting_id -> Uuid,
        council_id -> Uuid,
        decisions -> Jsonb,
        notes -> Nullable<Text>,
        notes_shared_with -> Text,
        next_meeting_id -> Nullable<Uuid>,
        recorded_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    council_meeting_attendees (tenant_id, meeting_id, participant_id) {
        tenant_id -> Uuid,
        meeting_id -> Uuid,
        participant_id -> Uuid,
        council_id -> Uuid,
    }
}

diesel::table! {
    council_invitations (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        council_id -> Uuid,
        meeting_id -> Uuid,
        participant_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        letter_code_hash -> Nullable<Bytea>,
    }
}

diesel::table! {
    council_answers (tenant_id, meeting_id, participant_id) {
        tenant_id -> Uuid,
        meeting_id -> Uuid,
        participant_id -> Uuid,
        council_id -> Uuid,
        response -> Text,
        comment -> Nullable<Text>,
        contribution -> Nullable<Text>,
        availability -> Nullable<Text>,
        answered_at -> Timestamptz,
        updated_at -> Timestamptz,
        recorded_by -> Nullable<Uuid>,
        recorded_how -> Nullable<Text>,
    }
}

diesel::table! {
    plans (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        council_id -> Uuid,
        case_id -> Uuid,
        status -> Text,
        version -> Int4,
        follow_up_participant_id -> Nullable<Uuid>,
        follow_up_user_id -> Nullable<Uuid>,
        submitted_at -> Nullable<Timestamptz>,
        approved_at -> Nullable<Timestamptz>,
        approved_version -> Nullable<Int4>,
        evaluation_on -> Nullable<Date>,
        evaluation_way -> Nullable<Text>,
        evaluation_defined_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        closed_reason -> Nullable<Text>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        follows_plan_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    plan_versions (tenant_id, plan_id, version) {
        tenant_id -> Uuid,
        plan_id -> Uuid,
        version -> Int4,
        change -> Text,
        content -> Jsonb,
        changed_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    plan_goals (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        plan_id -> Uuid,
        position -> Int2,
        text -> Text,
        author -> Text,
        created_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    plan_commitments (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        plan_id -> Uuid,
        council_id -> Uuid,
        participant_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        text -> Text,
        due_on -> Date,
        every_days -> Nullable<Int4>,
        beyond_evaluation -> Bool,
        status -> Text,
        confirmed_at -> Nullable<Timestamptz>,
        done_at -> Nullable<Timestamptz>,
        done_comment -> Nullable<Text>,
        times_done -> Int4,
        created_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
        unconfirmed_at_closing -> Bool,
        done_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    plan_approvals (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        plan_id -> Uuid,
        council_id -> Uuid,
        version -> Int4,
        kind -> Text,
        participant_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        reason -> Nullable<Text>,
        safety_ensured -> Nullable<Bool>,
        created_at -> Timestamptz,
        child_link_id -> Nullable<Uuid>,
        recorded_how -> Nullable<Text>,
    }
}

diesel::table! {
    plan_follow_ups (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        plan_id -> Uuid,
        case_id -> Uuid,
        way -> Text,
        due_on -> Date,
        new_council_id -> Nullable<Uuid>,
        held_on -> Nullable<Date>,
        documented_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        meeting_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    plan_evaluations (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        plan_id -> Uuid,
        follow_up_id -> Nullable<Uuid>,
        held_on -> Date,
        took_part -> Text,
        child_view -> Text,
        parents_view -> Text,
        decision -> Text,
        next_evaluation_on -> Nullable<Date>,
        recorded_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    plan_evaluation_goals (tenant_id, evaluation_id, goal_id) {
        tenant_id -> Uuid,
        evaluation_id -> Uuid,
        plan_id -> Uuid,
        goal_id -> Uuid,
        result -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    plan_child_links (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        plan_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        created_by -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    sso_providers (tenant_id) {
        tenant_id -> Uuid,
        label -> Text,
        issuer -> Text,
        client_id -> Text,
        client_secret_sealed -> Bytea,
        group_roles -> Jsonb,
        password_login -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sso_identities (tenant_id, subject) {
        tenant_id -> Uuid,
        subject -> Text,
        user_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    recruitments (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        case_id -> Uuid,
        reason -> Text,
        urgency -> Text,
        fgc_wished -> Bool,
        service -> Text,
        state -> Text,
        council_id -> Nullable<Uuid>,
        created_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    recruitment_candidates (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        recruitment_id -> Uuid,
        case_id -> Uuid,
        rank -> Int4,
        token_hash -> Bytea,
        answer -> Nullable<Text>,
        answered_at -> Nullable<Timestamptz>,
        decision -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    recruitment_candidate_persons (tenant_id, candidate_id, person_id) {
        tenant_id -> Uuid,
        candidate_id -> Uuid,
        recruitment_id -> Uuid,
        case_id -> Uuid,
        person_id -> Uuid,
    }
}

diesel::table! {
    recruitment_steps (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        recruitment_id -> Uuid,
        step -> Text,
        candidate_id -> Nullable<Uuid>,
        done_on -> Date,
        done_by -> Nullable<Uuid>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    recruitment_forms (tenant_id, candidate_id) {
        tenant_id -> Uuid,
        candidate_id -> Uuid,
        recruitment_id -> Uuid,
        content -> Jsonb,
        sent_at -> Timestamptz,
        reminders_sent -> Int4,
        submitted_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    recruitment_form_versions (tenant_id, candidate_id, version) {
        tenant_id -> Uuid,
        candidate_id -> Uuid,
        version -> Int4,
        content -> Jsonb,
        submitted_at -> Timestamptz,
    }
}

diesel::table! {
    sms_messages (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        recipient_id -> Uuid,
        subject_kind -> Text,
        subject_id -> Uuid,
        purpose -> Text,
        gateway -> Text,
        gateway_id -> Text,
        status -> Text,
        result_code -> Nullable<Int8>,
        sent_at -> Timestamptz,
        reported_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    acute_openings (tenant_id, id) {
        tenant_id -> Uuid,
        id -> Uuid,
        case_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        reason -> Text,
        call_reference -> Nullable<Text>,
        opened_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    acute_openings,
    tenants,
    tenant_municipalities,
    users,
    account_tokens,
    api_keys,
    audit_log,
    jobs,
    sessions,
    operators,
    operator_sessions,
    operator_factors,
    operator_recovery_codes,
    operator_audit,
    user_factors,
    recovery_codes,
    children,
    cases,
    case_assignments,
    network_persons,
    child_words,
    map_revisions,
    costly_measures,
    network_checks,
    network_check_persons,
    councils,
    council_texts,
    council_participants,
    council_objections,
    council_consents,
    council_waivers,
    council_preparations,
    council_meetings,
    council_invitations,
    council_answers,
    council_meeting_records,
    council_meeting_attendees,
    plans,
    plan_versions,
    plan_goals,
    plan_commitments,
    plan_approvals,
    plan_follow_ups,
    plan_evaluations,
    plan_evaluation_goals,
    plan_child_links,
    sso_providers,
    sso_identities,
    recruitments,
    recruitment_candidates,
    recruitment_candidate_persons,
    recruitment_steps,
    recruitment_forms,
    recruitment_form_versions,
    sms_messages,
);

diesel::table! {
    measure_registrations (tenant_id, council_id) {
        tenant_id -> Uuid,
        council_id -> Uuid,
        case_id -> Uuid,
        answers -> Jsonb,
        updated_by -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}
