package cases

// EventColumns exposes eventColumns to the tests.
const EventColumns = eventColumns

// CanRead exposes canRead to the tests.
var CanRead = canRead

// RouteOneSQL exposes the routing statement to the benchmarks.
const RouteOneSQL = routeOne
