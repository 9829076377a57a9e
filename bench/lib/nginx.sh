# Sourced by benchmarks that measure downloads against nginx (after server.sh: it needs
# `work`, `bench_pids`, `free_port` and `wait_for`).

# nginx_serve FILE: serves FILE (hard-linked into `$work/nginx/www`) from nginx with sendfile on
# a free loopback port, one worker, no access log; sets `nginx_url` to the file's address.
nginx_serve() {
  local file="$1" name port
  name="$(basename "$file")"
  port=$(free_port)
  mkdir -p "$work/nginx/www"
  ln "$file" "$work/nginx/www/$name"
  chmod 755 "$work" "$work/nginx" "$work/nginx/www"; chmod 644 "$file"   # nginx workers run unprivileged
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$port; root $work/nginx/www; }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  bench_pids+=($!)
  nginx_url="http://127.0.0.1:$port/$name"
  wait_for "$nginx_url" 50
}
