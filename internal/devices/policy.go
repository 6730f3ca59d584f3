package devices

import "mlp/internal/auth"

// Policy is who may call each method of the device service: any signed-in
// user registers the devices of their own session (the object is always the
// caller's).
var Policy = auth.Policy{
	"Register": auth.SignedIn,
}
