from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal.forms.accounts import SignInForm
from portal.views import common, console, console_queue, customer, dashboard, desk_admin

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
    path("console/", console_queue.console_home, name="console-home"),
    path("console/tickets/", console_queue.queue, name="console-queue"),
    path("console/tickets/counts/", console_queue.queue_counts_fragment, name="console-queue-counts"),
    path("console/tickets/views/", console_queue.save_view, name="console-queue-save-view"),
    path("console/tickets/views/<int:view_id>/delete/", console_queue.delete_view, name="console-queue-delete-view"),
    path("console/tickets/bulk/", console_queue.bulk, name="console-queue-bulk"),
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
    path("desk-admin/", desk_admin.desk_admin_home, name="desk-admin-home"),
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
