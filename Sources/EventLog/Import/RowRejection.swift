/// Why one CSV row was skipped: a short reason to count by (`bad TIMESTAMP`) and the detail for the example.
struct RowRejection: Error {
    var reason: String
    var detail: String
}
