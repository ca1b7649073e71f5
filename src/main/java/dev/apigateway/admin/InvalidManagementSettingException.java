package dev.apigateway.admin;

/** A management setting that would expose the actuator on the public port: stops the start. */
public class InvalidManagementSettingException extends IllegalStateException {

    private final String variable;

    public InvalidManagementSettingException(String variable, String property, String value, String reason) {
        super("Invalid setting " + variable + " (" + property + ") = '" + (value == null ? "" : value) + "': "
                + reason);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}
