"""The platform operators' admin (superusers outside every tenant).

Tenant-owned rows are read and written across tenants through ``servicedesk.cross_tenant``
(the system connection); tenant staff configure their own desk in the portal, not here.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from servicedesk import cross_tenant
from servicedesk.models import CustomerAccount, ProductArea, Site, Team, Tenant, User


class AcrossTenantsAdmin(admin.ModelAdmin):
    """A tenant-owned model's rows of every tenant, read and written across tenants."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return cross_tenant.across_tenants(self.model)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        cross_tenant.save(obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        cross_tenant.delete(obj)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["queryset"] = cross_tenant.across_tenants(db_field.remote_field.model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "time_zone", "is_active"]
    search_fields = ["name", "slug"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "tenant", "role", "is_active"]
    list_filter = ["tenant", "role", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "phone"]}),
        ("Desk", {"fields": ["tenant", "role", "customer_account", "language", "time_zone"]}),
        ("Platform", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "tenant", "role", "password1", "password2"]})]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "customer_account":
            kwargs["queryset"] = cross_tenant.across_tenants(CustomerAccount)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CustomerAccount)
class CustomerAccountAdmin(AcrossTenantsAdmin):
    list_display = ["name", "tenant", "reference", "is_active"]
    list_filter = ["tenant"]


@admin.register(Site)
class SiteAdmin(AcrossTenantsAdmin):
    list_display = ["name", "account", "tenant", "country", "time_zone"]
    list_filter = ["tenant", "country"]


@admin.register(ProductArea)
class ProductAreaAdmin(AcrossTenantsAdmin):
    list_display = ["name", "tenant", "slug"]


@admin.register(Team)
class TeamAdmin(AcrossTenantsAdmin):
    list_display = ["name", "tenant", "product_area"]
