"""The events the missions domain publishes (core/events.py), for notifications and others.

Each carries plain ids: `mission_id` always, `test_id` for test events, `user_id` (the member
added) or `actor_id` (who did it).
"""

MEMBER_ADDED = "mission.member_added"
MISSION_COMPLETED = "mission.completed"
TEST_HANDED_TO_BLUE = "mission_test.handed_to_blue"
DETECTION_RECORDED = "mission_test.detection_recorded"
