package cases

// EventColumns exposes eventColumns to the tests.
const EventColumns = eventColumns

// CanRead exposes canRead to the tests.
var CanRead = canRead
