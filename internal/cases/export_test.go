package cases

// EventColumns exposes eventColumns to the tests.
const EventColumns = eventColumns
