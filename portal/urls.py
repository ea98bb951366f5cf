from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from portal import console_views, escalation_views, order_views, ticket_views, views
from portal.forms import SignInForm

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.customer_home, name="customer-home"),
    path("portal/tickets/", ticket_views.customer_tickets, name="customer-tickets"),
    path("portal/tickets/new/", ticket_views.customer_ticket_new, name="customer-ticket-new"),
    path("portal/tickets/new/questions/", ticket_views.customer_ticket_questions, name="customer-ticket-questions"),
    path("portal/tickets/<str:number>/", ticket_views.customer_ticket, name="customer-ticket"),
    path("portal/tickets/<str:number>/reply/", ticket_views.customer_ticket_reply, name="customer-ticket-reply"),
    path("portal/tickets/<str:number>/attach/", ticket_views.customer_ticket_attach, name="customer-ticket-attach"),
    path("portal/tickets/<str:number>/rfo/", ticket_views.customer_request_rfo, name="customer-ticket-rfo"),
    path(
        "portal/tickets/<str:number>/transition/",
        ticket_views.customer_ticket_transition,
        name="customer-ticket-transition",
    ),
    path(
        "portal/tickets/<str:number>/attachments/<int:attachment_id>/",
        ticket_views.customer_ticket_download,
        name="customer-ticket-download",
    ),
    path("console/", views.console_home, name="console-home"),
    path("portal/orders/", order_views.customer_orders, name="customer-orders"),
    path("portal/orders/<str:number>/", order_views.customer_order, name="customer-order"),
    path("console/orders/", order_views.console_orders, name="console-orders"),
    path("console/orders/<str:number>/", order_views.console_order, name="console-order"),
    path("console/tickets/", console_views.queue, name="console-queue"),
    path("console/tickets/<str:number>/", console_views.ticket, name="console-ticket"),
    path("console/tickets/<str:number>/reply/", console_views.reply, name="console-ticket-reply"),
    path("console/tickets/<str:number>/note/", console_views.note, name="console-ticket-note"),
    path("console/tickets/<str:number>/attach/", console_views.attach, name="console-ticket-attach"),
    path("console/tickets/<str:number>/transition/", console_views.transition, name="console-ticket-transition"),
    path("console/tickets/<str:number>/assign/", console_views.assign, name="console-ticket-assign"),
    path("console/tickets/<str:number>/priority/", console_views.set_priority, name="console-ticket-priority"),
    path(
        "console/tickets/<str:number>/attachments/<int:attachment_id>/",
        console_views.download,
        name="console-ticket-download",
    ),
    path("dashboard/", views.dashboard_home, name="dashboard-home"),
    path("desk-admin/", views.desk_admin_home, name="desk-admin-home"),
    path("language/", views.set_language, name="set-language"),
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
    path("portal/escalation-matrix/", escalation_views.escalation_matrix, name="escalation-matrix"),
    path("portal/tickets/<str:number>/escalate/", escalation_views.customer_escalate, name="customer-ticket-escalate"),
    path("console/tickets/<str:number>/escalate/", escalation_views.console_escalate, name="console-ticket-escalate"),
    path("escalation/acknowledge/<str:token>/", escalation_views.acknowledge, name="escalation-acknowledge"),
]
