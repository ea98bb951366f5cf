from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal.forms.accounts import SignInForm
from portal.views import common, console, customer, dashboard, desk_admin

app_name = "portal"

urlpatterns = [
    # --- every audience (portal.views.common) ---
    path("", common.home, name="home"),
    path("language/", common.set_language, name="set-language"),
    path("portal/escalation-matrix/", common.escalation_matrix, name="escalation-matrix"),
    path("escalation/acknowledge/<str:token>/", common.acknowledge, name="escalation-acknowledge"),
    # --- the customer portal (portal.views.customer) ---
    path("portal/", customer.customer_home, name="customer-home"),
    path("portal/tickets/", customer.customer_tickets, name="customer-tickets"),
    path("portal/tickets/new/", customer.customer_ticket_new, name="customer-ticket-new"),
    path("portal/tickets/new/questions/", customer.customer_ticket_questions, name="customer-ticket-questions"),
    path("portal/tickets/<str:number>/", customer.customer_ticket, name="customer-ticket"),
    path("portal/tickets/<str:number>/reply/", customer.customer_ticket_reply, name="customer-ticket-reply"),
    path("portal/tickets/<str:number>/attach/", customer.customer_ticket_attach, name="customer-ticket-attach"),
    path("portal/tickets/<str:number>/rfo/", customer.customer_request_rfo, name="customer-ticket-rfo"),
    path(
        "portal/tickets/<str:number>/transition/",
        customer.customer_ticket_transition,
        name="customer-ticket-transition",
    ),
    path(
        "portal/tickets/<str:number>/attachments/<int:attachment_id>/",
        customer.customer_ticket_download,
        name="customer-ticket-download",
    ),
    path("portal/tickets/<str:number>/escalate/", customer.customer_escalate, name="customer-ticket-escalate"),
    path("portal/orders/", customer.customer_orders, name="customer-orders"),
    path("portal/orders/<str:number>/", customer.customer_order, name="customer-order"),
    # --- the agents' console (portal.views.console) ---
    path("console/", console.console_home, name="console-home"),
    path("console/tickets/", console.queue, name="console-queue"),
    path("console/tickets/<str:number>/", console.ticket, name="console-ticket"),
    path("console/tickets/<str:number>/reply/", console.reply, name="console-ticket-reply"),
    path("console/tickets/<str:number>/note/", console.note, name="console-ticket-note"),
    path("console/tickets/<str:number>/attach/", console.attach, name="console-ticket-attach"),
    path("console/tickets/<str:number>/transition/", console.transition, name="console-ticket-transition"),
    path("console/tickets/<str:number>/assign/", console.assign, name="console-ticket-assign"),
    path("console/tickets/<str:number>/priority/", console.set_priority, name="console-ticket-priority"),
    path(
        "console/tickets/<str:number>/attachments/<int:attachment_id>/",
        console.download,
        name="console-ticket-download",
    ),
    path("console/tickets/<str:number>/escalate/", console.console_escalate, name="console-ticket-escalate"),
    path("console/orders/", console.console_orders, name="console-orders"),
    path("console/orders/<str:number>/", console.console_order, name="console-order"),
    # --- managers and tenant administrators ---
    path("dashboard/", dashboard.dashboard_home, name="dashboard-home"),
    path("desk-admin/", desk_admin.home.desk_admin_home, name="desk-admin-home"),
    path("desk-admin/audit/", desk_admin.audit.audit_log, name="desk-admin-audit"),
    path("desk-admin/audit/export.csv", desk_admin.audit.audit_export, name="desk-admin-audit-export"),
    path("desk-admin/escalation/thresholds/", desk_admin.escalation.thresholds, name="desk-admin-thresholds"),
    path(
        "desk-admin/escalation/thresholds/<int:pk>/", desk_admin.escalation.threshold_edit, name="desk-admin-threshold"
    ),
    path("desk-admin/escalation/matrices/", desk_admin.escalation.matrices, name="desk-admin-matrices"),
    path("desk-admin/escalation/matrices/new/", desk_admin.escalation.matrix_new, name="desk-admin-matrix-new"),
    path("desk-admin/escalation/matrices/<int:pk>/", desk_admin.escalation.matrix_edit, name="desk-admin-matrix"),
    path(
        "desk-admin/escalation/matrices/<int:pk>/levels/new/",
        desk_admin.escalation.level_new,
        name="desk-admin-level-new",
    ),
    path("desk-admin/escalation/levels/<int:pk>/", desk_admin.escalation.level_edit, name="desk-admin-level"),
    path(
        "desk-admin/escalation/matrices/<int:pk>/contacts/new/",
        desk_admin.escalation.contact_new,
        name="desk-admin-contact-new",
    ),
    path("desk-admin/escalation/contacts/<int:pk>/", desk_admin.escalation.contact_edit, name="desk-admin-contact"),
    path(
        "desk-admin/escalation/contacts/<int:pk>/remove/",
        desk_admin.escalation.contact_remove,
        name="desk-admin-contact-remove",
    ),
    path("desk-admin/settings/", desk_admin.settings.desk_settings, name="desk-admin-settings"),
    path("desk-admin/catalogue/", desk_admin.catalogue.catalogue, name="desk-admin-catalogue"),
    path("desk-admin/catalogue/new/", desk_admin.catalogue.item_new, name="desk-admin-catalogue-item-new"),
    path("desk-admin/catalogue/<int:pk>/", desk_admin.catalogue.item_edit, name="desk-admin-catalogue-item"),
    path(
        "desk-admin/catalogue/<int:pk>/status/",
        desk_admin.catalogue.item_status,
        name="desk-admin-catalogue-item-status",
    ),
    path("desk-admin/suppliers/new/", desk_admin.catalogue.supplier_new, name="desk-admin-supplier-new"),
    path("desk-admin/suppliers/<int:pk>/", desk_admin.catalogue.supplier_edit, name="desk-admin-supplier"),
    path(
        "desk-admin/suppliers/<int:pk>/status/", desk_admin.catalogue.supplier_status, name="desk-admin-supplier-status"
    ),
    path("desk-admin/lead-times/new/", desk_admin.catalogue.lead_time_new, name="desk-admin-lead-time-new"),
    path("desk-admin/lead-times/<int:pk>/", desk_admin.catalogue.lead_time_edit, name="desk-admin-lead-time"),
    path(
        "desk-admin/lead-times/<int:pk>/remove/",
        desk_admin.catalogue.lead_time_remove,
        name="desk-admin-lead-time-remove",
    ),
    path("desk-admin/service-levels/", desk_admin.service_levels.service_levels, name="desk-admin-service-levels"),
    path("desk-admin/sla-policies/new/", desk_admin.service_levels.sla_policy_new, name="desk-admin-sla-policy-new"),
    path("desk-admin/sla-policies/<int:pk>/", desk_admin.service_levels.sla_policy_edit, name="desk-admin-sla-policy"),
    path(
        "desk-admin/sla-policies/<int:pk>/status/",
        desk_admin.service_levels.sla_policy_status,
        name="desk-admin-sla-policy-status",
    ),
    path("desk-admin/calendars/", desk_admin.calendars.calendar_list, name="desk-admin-calendars"),
    path("desk-admin/calendars/new/", desk_admin.calendars.calendar_new, name="desk-admin-calendar-new"),
    path("desk-admin/calendars/<int:pk>/", desk_admin.calendars.calendar_edit, name="desk-admin-calendar"),
    path(
        "desk-admin/calendars/<int:pk>/status/", desk_admin.calendars.calendar_status, name="desk-admin-calendar-status"
    ),
    path("desk-admin/calendars/<int:pk>/closures/", desk_admin.calendars.closure_add, name="desk-admin-closure-add"),
    path(
        "desk-admin/calendars/<int:pk>/extra-days/", desk_admin.calendars.extra_day_add, name="desk-admin-extra-day-add"
    ),
    path("desk-admin/closures/<int:pk>/remove/", desk_admin.calendars.closure_remove, name="desk-admin-closure-remove"),
    path(
        "desk-admin/extra-days/<int:pk>/remove/",
        desk_admin.calendars.extra_day_remove,
        name="desk-admin-extra-day-remove",
    ),
    path("desk-admin/people/", desk_admin.people.people, name="desk-admin-people"),
    path("desk-admin/people/invite/", desk_admin.people.person_invite, name="desk-admin-person-invite"),
    path("desk-admin/people/<int:pk>/", desk_admin.people.person_edit, name="desk-admin-person"),
    path("desk-admin/people/<int:pk>/status/", desk_admin.people.person_status, name="desk-admin-person-status"),
    path("desk-admin/people/<int:pk>/sites/", desk_admin.people.person_sites, name="desk-admin-person-sites"),
    path("desk-admin/teams/", desk_admin.teams.teams, name="desk-admin-teams"),
    path("desk-admin/teams/new/", desk_admin.teams.team_new, name="desk-admin-team-new"),
    path("desk-admin/teams/<int:pk>/", desk_admin.teams.team_edit, name="desk-admin-team"),
    path("desk-admin/teams/<int:pk>/status/", desk_admin.teams.team_status, name="desk-admin-team-status"),
    path("desk-admin/product-areas/new/", desk_admin.teams.area_new, name="desk-admin-area-new"),
    path("desk-admin/product-areas/<int:pk>/", desk_admin.teams.area_edit, name="desk-admin-area"),
    path("desk-admin/product-areas/<int:pk>/status/", desk_admin.teams.area_status, name="desk-admin-area-status"),
    path("desk-admin/accounts/", desk_admin.customers.accounts, name="desk-admin-accounts"),
    path("desk-admin/accounts/new/", desk_admin.customers.account_new, name="desk-admin-account-new"),
    path("desk-admin/accounts/<int:pk>/", desk_admin.customers.account_edit, name="desk-admin-account"),
    path("desk-admin/accounts/<int:pk>/status/", desk_admin.customers.account_status, name="desk-admin-account-status"),
    path("desk-admin/accounts/<int:pk>/sites/new/", desk_admin.customers.site_new, name="desk-admin-site-new"),
    path("desk-admin/sites/<int:pk>/", desk_admin.customers.site_edit, name="desk-admin-site"),
    path("desk-admin/accounts/<int:pk>/services/new/", desk_admin.customers.service_new, name="desk-admin-service-new"),
    path("desk-admin/services/<int:pk>/", desk_admin.customers.service_edit, name="desk-admin-service"),
    path(
        "desk-admin/services/<int:pk>/contracts/new/", desk_admin.customers.contract_new, name="desk-admin-contract-new"
    ),
    path("desk-admin/contracts/<int:pk>/", desk_admin.customers.contract_edit, name="desk-admin-contract"),
    path("desk-admin/questionnaires/", desk_admin.intake.questionnaires, name="desk-admin-questionnaires"),
    path("desk-admin/questionnaires/<int:pk>/", desk_admin.intake.questionnaire, name="desk-admin-questionnaire"),
    path("desk-admin/questionnaires/<int:pk>/new/", desk_admin.intake.question_new, name="desk-admin-question-new"),
    path("desk-admin/questions/<int:pk>/", desk_admin.intake.question_edit, name="desk-admin-question"),
    path("desk-admin/questions/<int:pk>/remove/", desk_admin.intake.question_remove, name="desk-admin-question-remove"),
    # --- signing in and passwords (Django's views, the desk's templates in registration/) ---
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("portal:password-change-done")),
        name="password-change",
    ),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password-change-done"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("portal:password-reset-done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password-reset",
    ),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("portal:password-reset-complete")),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
