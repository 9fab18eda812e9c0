"""Keeping sites safe: inspection rules and schedules, inspections, findings and their
rectification, with their own pages (urls, views, forms, templates/safety/).

Part of the `sites` app (its models keep the app label "sites"). Inside sites/ only
sites.models, sites.admin and sites.urls import it, to register its models and admin and to
mount its pages; an import-linter contract keeps it so.
"""
