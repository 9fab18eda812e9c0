"""Signals of the sites app for what its bulk writes do not announce themselves.

An import saves sites, areas and residential points in bulk, which sends no ``post_save``;
``places_changed`` says that the places walks are measured between have changed, so that the
apps above (planning measures travel times) can act without sites importing them.
"""

from django.dispatch import Signal

# Sent with sender=the model class after a bulk create or update of its rows.
places_changed = Signal()
