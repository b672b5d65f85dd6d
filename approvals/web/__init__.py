"""The reviewer's browser UI: inbox, ticket page, decisions.

Views parse input, call one service or selector, and render or redirect.
"""
