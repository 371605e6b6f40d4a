# Reads `dotnet test` console output (several test assemblies, lines interleaved) and prints one closing line:
#   "N passed, N failed, N skipped, N aborted"            and, when a run was aborted,
#   "..., 1 aborted (OptOutGate.LoadTests.Tests: test host crashed)"
# A test host that crashes or is aborted prints no "Passed!/Failed!" summary for its assembly, so its tests are in
# no count: such an assembly is found as one that started ("Test run for .../X.dll") and never summarised.
# The exit status is 1 when anything failed or was aborted, so callers need not parse the line.

function assembly_name(path,    n, parts) {
    n = split(path, parts, "/")
    sub(/\.dll$/, "", parts[n])
    return parts[n]
}

/^Test run for .*\.dll / {
    started[assembly_name($4)] = 1
    next
}

/(Passed|Failed)! +- Failed: / {
    line = $0
    gsub(",", "", line)
    n = split(line, f, " +")
    for (i = 1; i < n; i++) {
        if (f[i] == "Failed:") failed += f[i + 1]
        if (f[i] == "Passed:") passed += f[i + 1]
        if (f[i] == "Skipped:") skipped += f[i + 1]
    }
    # The line ends "- Name.dll (net10.0)".
    for (i = n; i > 0; i--) if (f[i] ~ /\.dll$/) { summarised[assembly_name(f[i])] = 1; break }
    next
}

# An assembly in which nothing matched the filter ran cleanly and prints no summary.
/^No test (matches the given testcase filter|is available in) / {
    if (match($0, /[^ ]*\.dll/)) summarised[assembly_name(substr($0, RSTART, RLENGTH))] = 1
    next
}

/Test host process crashed/ { crashes++ }
/^Test Run Aborted/ { aborts++ }

END {
    names = ""
    silent = 0
    for (a in started) if (!(a in summarised)) { silent++; names = names (names == "" ? "" : ", ") a }
    aborted = silent
    if (aborts > aborted) aborted = aborts
    if (crashes > aborted) aborted = crashes
    line = sprintf("%d passed, %d failed, %d skipped, %d aborted", passed, failed, skipped, aborted)
    if (aborted > 0) {
        why = crashes > 0 ? "test host crashed" : "test run aborted"
        line = line " (" (names == "" ? "assembly unknown" : names) ": " why ")"
    }
    print line
    exit (failed > 0 || aborted > 0) ? 1 : 0
}
