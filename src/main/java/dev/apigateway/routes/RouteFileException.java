package dev.apigateway.routes;

/** A route file refused: the message is the one line an integration team reads (no stack trace, no file name). */
public class RouteFileException extends Exception {

    public RouteFileException(String reason) {
        super(reason);
    }
}
