"""People outside Review Gate: a user's identities on chat platforms and how they want to be reached."""
