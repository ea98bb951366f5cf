"""Demo data of the shared documents: a few files in Acme's folder (one the desk shared for
the whole account, one for Madrid, one Alice added), through the same service as real ones."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from documents.services import add_document
from servicedesk.models import CustomerAccount, Site, Tenant, User
from servicedesk.tenancy import tenant_context

# A minimal valid PDF: the desk checks a file's content, not its name.
_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FILES = (
    ("agent@northwind.example", None, "Service description MPLS IP-VPN.pdf", "Contract annex, current edition"),
    ("agent@northwind.example", "Madrid", "Madrid VSAT site survey.pdf", "Roof survey before the antenna move"),
    ("alice@acme.example", "Frankfurt", "Frankfurt rack plan.txt", "Rack 4, rows A–C"),
)


def seed_documents(tenant: Tenant) -> None:
    """Acme's folder, once (an account whose folder holds files is left as it is)."""
    with tenant_context(tenant):
        account = CustomerAccount.objects.filter(name="Acme Logistics GmbH").first()
        if account is None or Document.objects.filter(account=account).exists():
            return
        for email, site_name, name, description in FILES:
            actor = User.objects.get(email=email)
            site = Site.objects.get(account=account, name=site_name) if site_name else None
            content = b"Rack 4: core switch, edge router ER-4400, patch panel.\n" if name.endswith(".txt") else _PDF
            add_document(
                account=account, actor=actor, upload=SimpleUploadedFile(name, content), site=site,
                description=description,
            )  # fmt: skip
