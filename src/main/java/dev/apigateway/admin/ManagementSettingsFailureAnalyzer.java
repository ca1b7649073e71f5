package dev.apigateway.admin;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports {@link InvalidManagementSettingException} as the one line it is, like every other bad setting. */
public class ManagementSettingsFailureAnalyzer extends AbstractFailureAnalyzer<InvalidManagementSettingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidManagementSettingException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix " + cause.variable() + " and start again; CONFIG.md lists every setting.", cause);
    }
}
