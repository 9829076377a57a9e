#ifndef DATAPILOT_CLIBCURL_SHIM_H
#define DATAPILOT_CLIBCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic: typed wrappers Swift can call. */
static inline CURLcode datapilot_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode datapilot_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode datapilot_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode datapilot_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode datapilot_curl_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*datapilot_curl_data_callback)(char *data, size_t size, size_t count, void *context);
static inline CURLcode datapilot_curl_setopt_write_function(CURL *h, datapilot_curl_data_callback f) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode datapilot_curl_setopt_header_function(CURL *h, datapilot_curl_data_callback f) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, f);
}
static inline CURLcode datapilot_curl_setopt_read_function(CURL *h, datapilot_curl_data_callback f) {
    return curl_easy_setopt(h, CURLOPT_READFUNCTION, f);
}

/* An in-memory PEM (CA bundle, client certificate or key), copied by libcurl. */
static inline CURLcode datapilot_curl_setopt_blob(CURL *h, CURLoption o, const void *data, size_t length) {
    struct curl_blob blob = { (void *)data, length, CURL_BLOB_COPY };
    return curl_easy_setopt(h, o, &blob);
}

static inline CURLcode datapilot_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
#endif
