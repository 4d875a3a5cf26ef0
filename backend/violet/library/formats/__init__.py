"""Import and export formats of the library, as pure functions (no database, no Flask).

`atomic_red_team.parse()` and `portable.parse()` turn a document into `TemplateDraft`s; the
service matches them to rows and writes them. A document that cannot be read raises
`FormatError` naming the line or the path of the problem, before anything is written.
"""
