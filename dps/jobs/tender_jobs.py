"""Jobs for tenders: invitations and notices to every invitee (ids only, safe to run twice)."""
