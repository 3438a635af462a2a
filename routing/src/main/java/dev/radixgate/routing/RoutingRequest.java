package dev.radixgate.routing;

/**
 * The part of a client request that routing looks at.
 *
 * @param model           the requested model, or null when the request named none
 * @param routingText     the text whose prefix the engines cache: the prompt, or the chat messages' contents joined
 * @param routingKey      a session-affinity key ({@code X-Routing-Key} header, else the OpenAI {@code user} field), or null
 * @param estimatedTokens an estimate of the prompt's tokens, for token-aware load accounting
 */
public record RoutingRequest(String model, String routingText, String routingKey, int estimatedTokens) {

    public RoutingRequest {
        routingText = routingText == null ? "" : routingText;
        if (estimatedTokens < 0) {
            throw new IllegalArgumentException("estimatedTokens must be >= 0");
        }
    }

    /** A request with only routing text; tokens estimated at four chars a token. */
    public static RoutingRequest ofText(String text) {
        return new RoutingRequest(null, text, null, estimateTokens(text));
    }

    /** Rough token count of a text: about four characters per token for English and code. */
    public static int estimateTokens(String text) {
        return text == null ? 0 : (text.length() + 3) / 4;
    }
}
