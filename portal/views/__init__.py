"""The pages, by audience: ``customer`` (the customer portal), ``console`` (the agents'
console), ``dashboard`` (managers), ``desk_admin`` (tenant administrators); ``shared`` holds the
handlers the portal and the console share, ``common`` the pages of no one audience, ``errors``
the error pages and ``access`` who may see which page. Templates mirror them: templates/portal,
templates/console, templates/dashboards, templates/desk_admin, and templates/partials for the
fragments they include."""
