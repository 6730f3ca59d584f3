package notify

import "mlp/internal/auth"

// Policy is who may call each method of the notification service: every
// signed-in user reads, marks and follows their own notifications (the
// object is always the caller's: every query is on user_id = the caller).
var Policy = auth.Policy{
	"MyNotifications": auth.SignedIn,
	"MarkRead":        auth.SignedIn,
	"Subscribe":       auth.SignedIn,
	"UseLive":         auth.Internal("wiring: the process's listener"),
}
