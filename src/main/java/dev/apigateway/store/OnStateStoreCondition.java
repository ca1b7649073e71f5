package dev.apigateway.store;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

class OnStateStoreCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnStateStore.class.getName());
        StateStoreSelection.Store wanted = (StateStoreSelection.Store) attributes.get("value");
        StateStoreSelection selection = StateStoreSelection.resolve(context.getEnvironment());
        String message = "state store " + selection.store() + " (" + selection.reason() + ")";
        return selection.store() == wanted ? ConditionOutcome.match(message) : ConditionOutcome.noMatch(message);
    }
}
