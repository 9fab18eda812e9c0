"""The walking assumptions behind every distance and minute in the app: one home for each."""

# Street distance over straight-line distance, used only where no walking network is loaded.
DETOUR_FACTOR = 1.3

# Walking speeds in metres per minute: an adult's pace, and the pace the elderly and
# disabled people are planned for (the life-circle levels are named in minutes at this pace).
WALKING_SPEED_M_PER_MIN = 70.0
ELDERLY_WALKING_SPEED_M_PER_MIN = 50.0
