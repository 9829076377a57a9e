#ifndef DATAPILOT_CLIBGIT2_SHIM_H
#define DATAPILOT_CLIBGIT2_SHIM_H
#include <git2.h>

/* git_libgit2_opts is variadic, which Swift cannot call: one wrapper per option used. */
static inline int datapilot_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

static inline int datapilot_git_set_server_timeout(int milliseconds) {
#ifdef GIT_OPT_SET_SERVER_TIMEOUT
    return git_libgit2_opts(GIT_OPT_SET_SERVER_TIMEOUT, milliseconds);
#else
    (void)milliseconds;
    return -1; /* libgit2 < 1.7 has no socket timeouts: callers enforce their own */
#endif
}

/* At most `limit` pack files open at once (0, the default, is no limit): each incremental fetch
   adds a pack, and a long-running process would keep every one it read open. */
static inline int datapilot_git_set_mwindow_file_limit(size_t limit) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_FILE_LIMIT, limit);
}
#endif
