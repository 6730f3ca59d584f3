package cases

// EventColumns exposes eventColumns to the tests.
const EventColumns = eventColumns

// RouteOneSQL exposes the routing statement to the benchmarks.
const RouteOneSQL = routeOne
