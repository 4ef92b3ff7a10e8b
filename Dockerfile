# shopbot in a container: a static binary (pure-Go SQLite, no cgo) on an
# empty image. The shop's files and database live on a volume at /data.
#
#   docker build -t shopbot .
#   docker run -d --name shopbot --restart unless-stopped -p 127.0.0.1:8080:8080 \
#     --user "$(id -u):$(id -g)" -v "$PWD/shop:/data" --env-file shop/shopbot.env shopbot
#
# --user lets the container write the database into your directory (the
# image's own user, 65532, owns only the image's empty /data).
#
# /data holds shopbot.yaml (with listen: 0.0.0.0:8080), faq.yaml and the
# database: `shopbot init --dir shop --listen 0.0.0.0:8080` writes them.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /shopbot ./cmd/shopbot \
 && mkdir /data && chown 65532:65532 /data

FROM scratch
# CA certificates for Telegram and Slack over HTTPS; time zones are built in.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /shopbot /shopbot
COPY --from=build --chown=65532:65532 /data /data
USER 65532:65532
WORKDIR /data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/shopbot"]
CMD ["serve", "--config", "/data/shopbot.yaml"]
