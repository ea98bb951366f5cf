from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal.forms.accounts import SignInForm
from portal.views import (
    common,
    console,
    console_orders,
    console_problems,
    console_workspace,
    customer,
    dashboard,
    desk_admin,
    requests,
)

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
    # --- the customer's requests (portal.views.requests) ---
    path("portal/requests/", requests.requests_home, name="customer-requests"),
    path("portal/requests/catalogue/", requests.catalogue, name="customer-catalogue"),
    path("portal/requests/catalogue/<slug:code>/", requests.order_ssr, name="customer-ssr-new"),
    path("portal/requests/ssr/<str:number>/", requests.ssr_detail, name="customer-ssr"),
    path("portal/requests/ssr/<str:number>/cancel/", requests.ssr_cancel, name="customer-ssr-cancel"),
    path("portal/requests/changes/new/", requests.change_new, name="customer-change-new"),
    path("portal/requests/changes/<str:number>/", requests.change_detail, name="customer-change"),
    path("portal/requests/changes/<str:number>/decide/", requests.change_decide, name="customer-change-decide"),
    path("portal/orders/", customer.customer_orders, name="customer-orders"),
    path("portal/orders/<str:number>/", customer.customer_order, name="customer-order"),
    # --- the agents' console (portal.views.console) ---
    path("console/", console.console_home, name="console-home"),
    path("console/tickets/", console.queue, name="console-queue"),
    path("console/tickets/new/", console_workspace.phone_intake, name="console-ticket-new"),
    path("console/tickets/new/questions/", console_workspace.phone_questions, name="console-ticket-new-questions"),
    path("console/tickets/<str:number>/", console_workspace.workspace, name="console-ticket"),
    path("console/tickets/<str:number>/take/", console_workspace.take, name="console-ticket-take"),
    path("console/tickets/<str:number>/callback/", console_workspace.callback, name="console-ticket-callback"),
    path("console/tickets/<str:number>/merge/", console_workspace.merge, name="console-ticket-merge"),
    path("console/tickets/<str:number>/problem/", console_workspace.problem, name="console-ticket-problem"),
    path("console/tickets/<str:number>/presence/", console_workspace.presence_poll, name="console-ticket-presence"),
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
    # --- the order workspace (portal.views.console_orders) ---
    path("console/orders/ssrs/", console_orders.ssr_list, name="console-ssrs"),
    path("console/orders/ssrs/<str:number>/", console_orders.ssr_detail, name="console-ssr"),
    path("console/orders/ssrs/<str:number>/complete/", console_orders.ssr_complete, name="console-ssr-complete"),
    path("console/orders/ssrs/<str:number>/cancel/", console_orders.ssr_cancel, name="console-ssr-cancel"),
    path("console/orders/changes/", console_orders.change_list, name="console-changes"),
    path("console/orders/changes/<str:number>/", console_orders.change_detail, name="console-change"),
    path("console/orders/changes/<str:number>/quote/", console_orders.change_quote, name="console-change-quote"),
    path("console/orders/changes/<str:number>/action/", console_orders.change_action, name="console-change-action"),
    path("console/orders/<str:number>/", console_orders.order_detail, name="console-order"),
    path("console/orders/<str:number>/step/", console_orders.order_step, name="console-order-step"),
    path("console/orders/<str:number>/plan/", console_orders.order_plan, name="console-order-plan"),
    path(
        "console/orders/<str:number>/delivery-date/",
        console_orders.order_delivery_date,
        name="console-order-delivery-date",
    ),
    # --- problems and reasons for outage (portal.views.console_problems) ---
    path("console/problems/", console_problems.problem_list, name="console-problems"),
    path("console/problems/new/", console_problems.problem_new, name="console-problem-new"),
    path("console/problems/rfos/", console_problems.rfo_list, name="console-rfos"),
    path("console/problems/rfos/<str:ticket>/", console_problems.rfo_detail, name="console-rfo"),
    path("console/problems/<str:number>/", console_problems.problem_detail, name="console-problem"),
    path("console/problems/<str:number>/edit/", console_problems.problem_edit, name="console-problem-edit"),
    path("console/problems/<str:number>/link/", console_problems.problem_link, name="console-problem-link"),
    path(
        "console/problems/<str:number>/unlink/<str:ticket>/",
        console_problems.problem_unlink,
        name="console-problem-unlink",
    ),
    # --- managers and tenant administrators ---
    path("dashboard/", dashboard.dashboard_home, name="dashboard-home"),
    path("desk-admin/", desk_admin.desk_admin_home, name="desk-admin-home"),
    path("desk-admin/mail/", desk_admin.desk_admin_mail, name="desk-admin-mail"),
    path("desk-admin/mail/<int:pk>/<str:action>/", desk_admin.desk_admin_mail_action, name="desk-admin-mail-action"),
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
