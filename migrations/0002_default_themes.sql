-- The default theme vocabulary for mental health wards; a trust changes it with PUT /v1/themes.
INSERT INTO themes (code, label, position) VALUES
  ('food', 'Food and drink', 1),
  ('activities', 'Activities and things to do', 2),
  ('environment', 'The ward environment', 3),
  ('staff_attitude', 'Staff attitude', 4),
  ('communication', 'Communication and information', 5),
  ('medication', 'Medication', 6),
  ('safety', 'Feeling safe', 7),
  ('visiting', 'Visiting', 8),
  ('discharge', 'Leaving hospital (discharge)', 9),
  ('cultural_spiritual', 'Cultural and spiritual needs', 10),
  ('access', 'Access and getting help', 11),
  ('privacy_dignity', 'Privacy and dignity', 12),
  ('involvement_in_care', 'Being involved in my care', 13);
